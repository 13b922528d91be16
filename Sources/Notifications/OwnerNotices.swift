import Platform

/// NT-2: messages to an account's owner, by the channels they chose for that kind of message
/// (SMS when they have not chosen; email only to a verified address, else SMS). Written in the
/// caller's transaction, like every outbox row.
public enum OwnerNotices {
    public enum Kind: String, Sendable, CaseIterable {
        case newBill = "new_bill"
        case dueReminder = "due_reminder"
        case paymentReceipt = "payment_receipt"
        case dispute
        case abnormalUse = "abnormal_use"
        case ticket

        /// How the settings page names it.
        public var title: String {
            switch self {
            case .newBill: "A new bill"
            case .dueReminder: "A bill due in three days"
            case .paymentReceipt: "Payment receipts"
            case .dispute: "Answers to a disputed bill"
            case .abnormalUse: "Unusual use or a meter fault"
            case .ticket: "Answers and changes to your tickets"
            }
        }

        /// The email's subject.
        public var subject: String {
            switch self {
            case .newBill: "Your new bill"
            case .dueReminder: "Your bill is due soon"
            case .paymentReceipt: "Your payment"
            case .dispute: "Your disputed bill"
            case .abnormalUse: "Your meter"
            case .ticket: "Your ticket"
            }
        }
    }

    public enum Channels: String, Sendable, CaseIterable {
        case sms, email, both
    }

    /// Where one account's messages of a kind go.
    public struct Address: Sendable, Equatable {
        public let channel: OutgoingNotification.Channel
        public let recipient: String
    }

    /// The addresses of the owners of `accountIDs` for `kind`, in one query: a batch job asks once.
    public static func addresses(_ kind: Kind, of accountIDs: [Int64], on connection: PostgresConnection) throws -> [Int64: [Address]] {
        try addresses(kind, key: "u.account_id", where: "u.account_id = ANY (\(accountIDs)::bigint[])", on: connection)
    }

    /// The addresses of the logins `userIDs` for `kind`, by login.
    public static func addresses(_ kind: Kind, ofUsers userIDs: [Int64], on connection: PostgresConnection) throws -> [Int64: [Address]] {
        try addresses(kind, key: "u.id", where: "u.id = ANY (\(userIDs)::bigint[])", on: connection)
    }

    private static func addresses(_ kind: Kind, key: SQL, where filter: SQL, on connection: PostgresConnection) throws -> [Int64: [Address]] {
        var found: [Int64: [Address]] = [:]
        for row in try connection.query(
            """
            SELECT \(key) AS key, u.mobile, CASE WHEN u.email_verified_at IS NOT NULL THEN u.email END AS email,
                   coalesce(p.sms, true) AS sms, coalesce(p.email, false) AS by_email
            FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id AND p.kind = \(kind.rawValue)
            WHERE \(filter) AND u.status = 'active'
            """
        ).rows {
            let key: Int64 = try row.decode("key")
            let mobile: String? = try row.decode("mobile")
            let email: String? = try row.decode("email")
            let byEmail = try row.decode("by_email", as: Bool.self) && email != nil
            // Email chosen but no verified address: SMS rather than nothing.
            let bySMS = try row.decode("sms", as: Bool.self) || !byEmail
            if bySMS, let mobile { found[key, default: []].append(Address(channel: .sms, recipient: mobile)) }
            if byEmail, let email { found[key, default: []].append(Address(channel: .email, recipient: email)) }
        }
        return found
    }

    /// Writes `text` to each address; `purpose` names the message in the outbox.
    public static func write(_ kind: Kind, _ text: String, to addresses: [Address], purpose: String, on connection: PostgresConnection) throws {
        try Outbox.enqueue(addresses.map { message(kind, text, to: $0) }, purpose: purpose, on: connection)
    }

    /// Sends each text to the owners of its account, in two statements however many there are.
    public static func send(
        _ kind: Kind, _ notices: [(accountID: Int64, text: String)], purpose: String, on connection: PostgresConnection
    ) throws {
        guard !notices.isEmpty else { return }
        let found = try addresses(kind, of: Array(Set(notices.map(\.accountID))), on: connection)
        let messages = notices.flatMap { notice in (found[notice.accountID] ?? []).map { message(kind, notice.text, to: $0) } }
        try Outbox.enqueue(messages, purpose: purpose, on: connection)
    }

    private static func message(_ kind: Kind, _ text: String, to address: Address) -> Outbox.Message {
        Outbox.Message(
            channel: address.channel, recipient: address.recipient, subject: address.channel == .email ? kind.subject : nil,
            body: String(text.prefix(address.channel == .sms ? 1000 : 10000)))
    }

    /// Sends `text` to the owners of `accountID`; `purpose` names the message in the outbox.
    public static func send(_ kind: Kind, to accountID: Int64, _ text: String, purpose: String, on connection: PostgresConnection) throws {
        try send(kind, [(accountID: accountID, text: text)], purpose: purpose, on: connection)
    }

    /// What a login chose for each kind (SMS where nothing was chosen).
    public static func preferences(userID: Int64, in database: Database) async throws -> [Kind: Channels] {
        var chosen = Dictionary(uniqueKeysWithValues: Kind.allCases.map { ($0, Channels.sms) })
        for row in try await database.query("SELECT kind, sms, email FROM notification_preferences WHERE user_id = \(userID)").rows {
            guard let kind = Kind(rawValue: try row.decode("kind")) else { continue }
            let (sms, email): (Bool, Bool) = (try row.decode("sms"), try row.decode("email"))
            chosen[kind] = sms && email ? .both : email ? .email : .sms
        }
        return chosen
    }

    public struct NeedsVerifiedEmail: Error, Equatable, CustomStringConvertible {
        public var description: String { "Verify your email address first (above); until then messages come by SMS." }
    }

    /// Stores a login's choices; email needs a verified address.
    public static func choose(_ choices: [Kind: Channels], userID: Int64, in database: Database) async throws {
        let verified =
            try await database.query(
                "SELECT email_verified_at IS NOT NULL AND email IS NOT NULL AS verified FROM users WHERE id = \(userID)"
            ).rows.first?.decode("verified", as: Bool.self) ?? false
        if !verified, choices.values.contains(where: { $0 != .sms }) { throw NeedsVerifiedEmail() }
        try await database.transaction { connection in
            for (kind, channels) in choices {
                try connection.execute(
                    """
                    INSERT INTO notification_preferences (user_id, kind, sms, email) VALUES (\(userID), \(kind.rawValue), \(channels != .email), \(channels != .sms))
                    ON CONFLICT (user_id, kind) DO UPDATE SET sms = EXCLUDED.sms, email = EXCLUDED.email
                    """)
            }
        }
    }
}
