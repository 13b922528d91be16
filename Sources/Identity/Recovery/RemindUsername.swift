import Notifications
import Platform

/// ID-6: a forgotten username is sent to the verified mobile or verified email it belongs to.
/// The page says the same whether or not any login has that number or address.
public struct RemindUsername: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Where the reminder goes: a normalised mobile number or an email address.
    public enum Contact: Equatable {
        case mobile(String)
        case email(String)
    }

    public func send(to contact: Contact) async throws {
        let (column, verified, recipient, channel): (SQL, SQL, String, OutgoingNotification.Channel) =
            switch contact {
            case .mobile(let mobile): ("mobile", "mobile_verified_at", mobile, .sms)
            case .email(let email): ("lower(email)", "email_verified_at", email.lowercased(), .email)
            }
        try await database.transaction { connection in
            let names = try connection.query(
                "SELECT username FROM users WHERE \(column) = $1 AND \(verified) IS NOT NULL AND status = 'active' ORDER BY username",
                [recipient]
            ).rows.map { try $0.decode("username", as: String.self) }
            guard !names.isEmpty else { return }
            // The same daily cap as codes, so this cannot be used to flood a number or inbox.
            let sentToday = try connection.query(
                """
                SELECT count(*) AS n FROM notifications
                WHERE lower(recipient) = $1 AND purpose = 'username_reminder' AND created_at > \(connection.now) - interval '1 day'
                """, [recipient]
            ).rows[0].decode("n", as: Int.self)
            guard sentToday < OneTimeCodes.dailyLimitPerRecipient else { return }
            try Outbox.enqueue(
                on: connection, channel: channel, to: recipient,
                subject: channel == .email ? "Your Meterline username" : nil,
                body: "Meterline: your username is \(names.joined(separator: ", ")).", purpose: "username_reminder")
        }
    }
}
