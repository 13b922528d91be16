import Notifications
import Platform

/// Finds the login someone typed: a username or an email, in any case.
public enum LoginLookup {
    public struct Found: Sendable {
        public let id: Int64
        public let username: String
        public let mobile: String?
        public let verifiedEmail: String?
        public let status: String
        public let suspendedReason: String?
        public let locked: Bool

        public init(id: Int64, username: String, mobile: String?, verifiedEmail: String?, status: String, suspendedReason: String?, locked: Bool) {
            self.id = id
            self.username = username
            self.mobile = mobile
            self.verifiedEmail = verifiedEmail
            self.status = status
            self.suspendedReason = suspendedReason
            self.locked = locked
        }

        /// Can receive codes: active, with a verified mobile.
        public var reachable: Bool { status == "active" && mobile != nil }

        /// Where a code or link for this login may go on `channel`: a verified mobile or email.
        public func address(on channel: OutgoingNotification.Channel) -> String? {
            guard status == "active" else { return nil }
            return channel == .sms ? mobile : verifiedEmail
        }
    }

    /// `forUpdate` locks the row for the caller's transaction.
    public static func find(_ login: String, on connection: PostgresConnection, forUpdate: Bool = false) throws -> Found? {
        guard !login.isEmpty, login.utf8.count <= 254 else { return nil }
        guard
            let row = try connection.query(
                """
                SELECT id, username, CASE WHEN mobile_verified_at IS NOT NULL THEN mobile END AS mobile,
                       CASE WHEN email_verified_at IS NOT NULL THEN email END AS verified_email, status, suspended_reason,
                       coalesce(locked_until > \(connection.now), false) AS locked
                FROM users
                WHERE lower(username) = lower($1) OR (email IS NOT NULL AND lower(email) = lower($1))
                ORDER BY id LIMIT 1
                """ + (forUpdate ? " FOR UPDATE" : ""), [login]
            ).rows.first
        else { return nil }
        return Found(
            id: try row.decode("id"), username: try row.decode("username"), mobile: try row.decode("mobile"),
            verifiedEmail: try row.decode("verified_email"),
            status: try row.decode("status"), suspendedReason: try row.decode("suspended_reason"), locked: try row.decode("locked"))
    }
}
