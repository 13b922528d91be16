/// MT-3: a meter reader finds a premise by account number, holder name, address or meter
/// serial. Digits search account-number prefixes; words must each appear somewhere in the
/// number, name or address (a trigram index answers that); a serial matches by prefix.
struct FindAccounts: Sendable {
    let database: Database
    static let limit = 20

    struct Hit: Encodable, Sendable, Equatable {
        let accountNumber: String
        let holderName: String
        let supplyAddress: String
        let area: String
        let meterSerial: String?
        let link: String
    }

    /// What was typed, cleaned, or a reason it cannot be searched.
    enum Query: Equatable {
        case accountNumber(String)
        case words([String])
        case tooShort
    }

    static func parse(_ typed: String?) -> Query {
        let text = (Normalise.text(typed) ?? "").lowercased()
        let words = text.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init).prefix(6)
        guard words.joined().count >= 3 else { return .tooShort }
        if words.count == 1, words[0].allSatisfy(\.isASCII), words[0].allSatisfy(\.isNumber) { return .accountNumber(words[0]) }
        return .words(Array(words))
    }

    func search(_ query: Query) async throws -> [Hit] {
        switch query {
        case .tooShort:
            return []
        case .accountNumber(let digits):
            return try await hits(
                "a.account_number LIKE $1 || '%' ORDER BY a.account_number LIMIT \(Self.limit)", [String(digits.prefix(16))])
        case .words(let words):
            // A serial typed whole or in part, then premises whose text holds every word.
            let escaped = words.map { $0.replacing("\\", with: "\\\\").replacing("%", with: "\\%").replacing("_", with: "\\_") }
            let bySerial = words.count == 1 ? try await serialHits(prefix: escaped[0].uppercased()) : []
            let conditions = escaped.indices.map { "a.search_text LIKE '%' || $\($0 + 1) || '%'" }.joined(separator: " AND ")
            let byText = try await hits("\(conditions) ORDER BY a.account_number LIMIT \(Self.limit)", escaped)
            var seen = Set<String>()
            return (bySerial + byText).filter { seen.insert($0.accountNumber).inserted }.prefix(Self.limit).map { $0 }
        }
    }

    private static func hit(_ row: Row) throws -> Hit {
        let number: String = try row.decode("account_number")
        return Hit(
            accountNumber: number, holderName: try row.decode("holder_name"), supplyAddress: try row.decode("supply_address"),
            area: try row.decode("area"), meterSerial: try row.decode("serial"), link: Paths().fieldAccount(number))
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

    private func hits(_ condition: String, _ parameters: [String]) async throws -> [Hit] {
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
