import Notifications
import Platform

/// ID-3: passwordless sign-in with a one-time link emailed to a verified address. Asking says
/// the same whether or not the login exists or has a verified email. Like a texted code, a
/// link works through a password lock: whoever reads the owner's email is the owner.
public struct EmailLinkSignIn: Sendable {
    public let database: Database
    public let links: EmailLinks

    public init(database: Database, links: EmailLinks) {
        self.database = database
        self.links = links
    }

    public func sendLink(login: String) async throws {
        let links = self.links
        try await database.transaction { connection in
            guard let user = try LoginLookup.find(login, on: connection), let email = user.address(on: .email) else { return }
            try links.issue(
                on: connection, userID: user.id, purpose: .login, email: email,
                subject: "Your Meterline sign-in link"
            ) {
                """
                Open this link to sign in to Meterline as \(user.username):

                \($0)

                It works once, for 15 minutes. If you did not ask for it, ignore this email: nobody can sign in without it.
                """
            }
        }
    }

    /// Whether the token is a live sign-in link (shown before the person presses the button,
    /// so that mail scanners that open links do not spend it).
    public func isLive(token: String) async throws -> Bool {
        let links = self.links
        return try await database.withConnection { try links.find(on: $0, token: token, purpose: .login, consume: false) != nil }
    }

    /// The user and username signed in by this link, or nil.
    public func signIn(token: String, clientAddress: String) async throws -> (userID: Int64, username: String)? {
        let links = self.links
        return try await database.transaction { connection in
            guard let link = try links.find(on: connection, token: token, purpose: .login, consume: true),
                let username: String = try connection.query(
                    """
                    UPDATE users SET last_login_at = \(connection.now), failed_logins = 0, locked_until = NULL
                    WHERE id = $1 AND status = 'active' AND lower(email) = lower($2) AND email_verified_at IS NOT NULL
                    RETURNING username
                    """, [link.userID, link.email]
                ).rows.first?.decode("username")
            else { return nil }
            try AuditLog.record(on: connection, .loginByEmailLink, userID: link.userID, clientAddress: clientAddress)
            return (link.userID, username)
        }
    }
}
