import Accounts
import Identity
import Notifications
import Platform

/// MT-3: a meter reader finds a premise by account number, holder name, address or meter
/// serial. Digits search account-number prefixes; a serial matches by prefix; otherwise every
/// word typed must begin a word of the account's number, name or address. The rarest typed word
/// is looked up in the word index and the others checked on its matches, so the first twenty
/// come at once however common the other words are.
public struct FindAccounts: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }
    public static let limit = 20

    public struct Hit: Encodable, Sendable, Equatable {
        public let accountNumber: String
        public let holderName: String
        public let supplyAddress: String
        public let area: String
        public let meterSerial: String?

        public init(accountNumber: String, holderName: String, supplyAddress: String, area: String, meterSerial: String?) {
            self.accountNumber = accountNumber
            self.holderName = holderName
            self.supplyAddress = supplyAddress
            self.area = area
            self.meterSerial = meterSerial
        }
    }

    /// What was typed, cleaned, or a reason it cannot be searched.
    public enum Query: Equatable {
        case accountNumber(String)
        case words([String])
        case tooShort
    }

    public static func parse(_ typed: String?) -> Query {
        let text = (Normalise.text(typed) ?? "").lowercased()
        let words = text.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init).prefix(6)
        guard words.joined().count >= 3 else { return .tooShort }
        if words.count == 1, words[0].allSatisfy(\.isASCII), words[0].allSatisfy(\.isNumber) { return .accountNumber(words[0]) }
        return .words(Array(words))
    }

    public func search(_ query: Query) async throws -> [Hit] {
        switch query {
        case .tooShort:
            return []
        case .accountNumber(let digits):
            return try await hits(
                "a.account_number LIKE $1 || '%' ORDER BY a.account_number LIMIT \(Self.limit)", [String(digits.prefix(16))])
        case .words(let words):
            // A serial typed whole or in part, then premises whose text holds every word.
            let escaped = words.map(SQL.likeEscaped)
            let bySerial = words.count == 1 ? try await serialHits(prefix: escaped[0].uppercased()) : []
            let byText = try await wordHits(escaped)
            var seen = Set<String>()
            return (bySerial + byText).filter { seen.insert($0.accountNumber).inserted }.prefix(Self.limit).map { $0 }
        }
    }

    private static func hit(_ row: Row) throws -> Hit {
        let number: String = try row.decode("account_number")
        return Hit(
            accountNumber: number, holderName: try row.decode("holder_name"), supplyAddress: try row.decode("supply_address"),
            area: try row.decode("area"), meterSerial: try row.decode("serial"))
    }

    /// Live meters whose serial starts with `prefix`, in serial order: the prefix index gives the
    /// first twenty without looking at the thousands a short prefix matches.
    private func serialHits(prefix: String) async throws -> [Hit] {
        return try await database.query(
            """
            SELECT a.account_number, a.holder_name, a.supply_address, a.area, m.serial
            FROM meters m
            JOIN meter_installations i ON i.meter_id = m.id AND i.removed_on IS NULL
            JOIN accounts a ON a.id = i.account_id
            WHERE m.serial LIKE $1 || '%'
            ORDER BY m.serial LIMIT \(Self.limit)
            """, [prefix]
        ).rows.map(Self.hit)
    }

    /// How many index entries to count at most when judging which word is rarest.
    public static let countCap = 2_000

    /// Where the word index splits text: every ASCII character that is not a letter or digit, as
    /// the trigger in migration 0013 does.
    public static func isSeparator(_ character: Character) -> Bool {
        character.isASCII && !(character.isLetter || character.isNumber)
    }

    private func wordHits(_ typed: [String]) async throws -> [Hit] {
        let words = typed.flatMap { $0.split(whereSeparator: Self.isSeparator).map(String.init) }
        guard !words.isEmpty else { return [] }
        // Whole words: one GIN lookup intersects them all.
        let whole = try await hits("a.search_words @> string_to_array($1, ' ') LIMIT \(Self.limit)", [words.joined(separator: " ")])
        guard whole.count < Self.limit else { return whole }
        var seen = Set(whole.map(\.accountNumber))
        return whole + (try await prefixHits(words)).filter { seen.insert($0.accountNumber).inserted }.prefix(Self.limit - whole.count)
    }

    /// Beginnings of words: the rarest typed word's entries in the word table, each account
    /// checked for the other words.
    private func prefixHits(_ words: [String]) async throws -> [Hit] {
        var rarest = (word: words[0], count: Int.max)
        for word in words {
            let count: Int = try await database.query(
                "SELECT count(*) AS n FROM (SELECT 1 FROM account_search_words WHERE word LIKE $1 || '%' LIMIT \(Self.countCap)) t", [word]
            ).rows[0].decode("n")
            if count == 0 { return [] }
            // Past the cap, the longer word is taken as the rarer.
            if count < rarest.count || (count == rarest.count && word.count > rarest.word.count) { rarest = (word, count) }
        }
        var others = words
        others.remove(at: others.firstIndex(of: rarest.word)!)
        let checks = others.map { word -> SQL in
            " AND EXISTS (SELECT 1 FROM account_search_words o WHERE o.account_id = w.account_id AND o.word LIKE \(word) || '%')"
        }.reduce(SQL(stringLiteral: ""), +)
        // The rarest word's entries are walked in index order and stop at the first matches; an
        // account whose two words share the prefix appears twice, so ask for more and keep each once.
        let hits = try await database.query(
            """
            SELECT a.account_number, a.holder_name, a.supply_address, a.area, m.serial
            FROM (
                SELECT w.account_id FROM account_search_words w
                WHERE w.word LIKE \(rarest.word) || '%'\(checks)
                LIMIT \(Self.limit * 3)
            ) found
            JOIN accounts a ON a.id = found.account_id
            LEFT JOIN meter_installations i ON i.account_id = a.id AND i.removed_on IS NULL
            LEFT JOIN meters m ON m.id = i.meter_id
            """
        ).rows.map(Self.hit)
        var seen = Set<String>()
        return Array(hits.filter { seen.insert($0.accountNumber).inserted }.prefix(Self.limit))
    }

    private func hits(_ condition: SQL, _ parameters: [String]) async throws -> [Hit] {
        return try await database.query(
            """
            SELECT a.account_number, a.holder_name, a.supply_address, a.area, m.serial
            FROM accounts a
            LEFT JOIN meter_installations i ON i.account_id = a.id AND i.removed_on IS NULL
            LEFT JOIN meters m ON m.id = i.meter_id
            WHERE \(condition)
            """, parameters
        ).rows.map(Self.hit)
    }
}
