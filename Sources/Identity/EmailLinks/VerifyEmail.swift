import Notifications
import Platform

/// ID-1, ID-3, ID-6: an email address given at registration is used for sign-in links, codes
/// and reminders only after its owner opens the link sent to it.
public struct VerifyEmail: Sendable {
    public let database: Database
    public let links: EmailLinks

    public init(database: Database, links: EmailLinks) {
        self.database = database
        self.links = links
    }

    /// Queues a verification link when the login has an email that is not yet verified.
    /// Returns false when there is nothing to verify.
    @discardableResult
    public static func send(on connection: PostgresConnection, userID: Int64, links: EmailLinks) throws -> Bool {
        guard
            let email: String = try connection.query(
                "SELECT email FROM users WHERE id = $1 AND email IS NOT NULL AND email_verified_at IS NULL AND status = 'active'", [userID]
            ).rows.first?.decode("email")
        else { return false }
        try links.issue(
            on: connection, userID: userID, purpose: .verifyEmail, email: email,
            subject: "Confirm your email for Meterline"
        ) {
            """
            Open this link to confirm that this is your email address for Meterline:

            \($0)

            The link works for 24 hours. If you did not register with Meterline, ignore this email.
            """
        }
        return true
    }

    public func send(userID: Int64) async throws -> Bool {
        let links = self.links
        return try await database.transaction { try Self.send(on: $0, userID: userID, links: links) }
    }

    /// Whether the token is a live verification link (shown before the person confirms).
    public func isLive(token: String) async throws -> Bool {
        let links = self.links
        return try await database.withConnection { try links.find(on: $0, token: token, purpose: .verifyEmail, consume: false) != nil }
    }

    /// Marks the email verified if the link is live and the login still has that address.
    public func confirm(token: String, clientAddress: String) async throws -> Bool {
        let links = self.links
        return try await database.transaction { connection in
            guard let link = try links.find(on: connection, token: token, purpose: .verifyEmail, consume: true) else { return false }
            let updated = try connection.query(
                """
                UPDATE users SET email_verified_at = \(connection.now)
                WHERE id = $1 AND lower(email) = lower($2) AND email_verified_at IS NULL RETURNING id
                """, [link.userID, link.email]
            ).rows.count
            guard updated == 1 else { return false }
            try AuditLog.record(on: connection, .emailVerified, userID: link.userID, clientAddress: clientAddress)
            return true
        }
    }
}
