import Notifications
import Platform

/// ID-1: the code texted at registration completes it: the login becomes active with a
/// verified mobile, and an email given with it is sent its verification link. Also sends a
/// fresh code when asked.
public struct VerifyRegistration: Sendable {
    public let database: Database
    public let codes: OneTimeCodes
    public let links: EmailLinks

    public init(database: Database, codes: OneTimeCodes, links: EmailLinks) {
        self.database = database
        self.codes = codes
        self.links = links
    }

    /// The registration waiting in this browser, for the page.
    public struct Pending: Sendable {
        public let userID: Int64
        public let username: String
        public let mobile: String

        public init(userID: Int64, username: String, mobile: String) {
            self.userID = userID
            self.username = username
            self.mobile = mobile
        }
    }

    public func pending(userID: Int64) async throws -> Pending? {
        try await database.query(
            "SELECT username, mobile FROM users WHERE id = $1 AND status = 'pending'", [userID]
        ).rows.first.map { Pending(userID: userID, username: try $0.decode("username"), mobile: try $0.decode("mobile")) }
    }

    /// Checks the code; on `.accepted` the login is active.
    public func verify(userID: Int64, code: String, clientAddress: String) async throws -> OneTimeCodes.Check {
        let (codes, links) = (codes, links)
        return try await database.transaction { connection in
            let check = try codes.check(on: connection, userID: userID, purpose: .registration, code: code)
            if check == .accepted {
                try connection.execute(
                    """
                    UPDATE users SET status = 'active', mobile_verified_at = \(connection.now), last_login_at = \(connection.now)
                    WHERE id = $1 AND status = 'pending'
                    """, [userID])
                try AuditLog.record(on: connection, .registrationCompleted, userID: userID, clientAddress: clientAddress)
                do {
                    try VerifyEmail.send(on: connection, userID: userID, links: links)
                } catch is OneTimeCodes.IssueRefusal {
                    // The address had its links for today; the person can ask again from settings.
                }
            }
            return check
        }
    }

    public func resend(userID: Int64) async throws {
        let codes = self.codes
        try await database.transaction { connection in
            guard
                let mobile: String = try connection.query(
                    "SELECT mobile FROM users WHERE id = $1 AND status = 'pending'", [userID]
                ).rows.first?.decode("mobile")
            else { return }
            try codes.issue(on: connection, userID: userID, purpose: .registration, recipient: mobile) {
                "Meterline: your registration code is \($0). It expires in 5 minutes. Never share it."
            }
        }
    }
}
