import Notifications
import Platform

/// One-time links sent by email (ID-1 verification, ID-3 sign-in). A link's token is 256 random
/// bits, so unlike a 6-digit code it may be looked up by value; only its HMAC is stored. A link
/// works once, for one user and one purpose, and a newer link for the same purpose replaces it.
public struct EmailLinks: Sendable {
    public enum Purpose: String, Sendable {
        case verifyEmail = "verify_email"
        case login

        public var validitySeconds: Int {
            switch self {
            case .verifyEmail: 24 * 3600
            case .login: 15 * 60
            }
        }
    }

    public let key: [UInt8]
    public let publicURL: String
    /// The page each kind of link opens, from the web's route table.
    public let paths: [Purpose: String]

    public init(key: [UInt8], publicURL: String, paths: [Purpose: String]) {
        precondition(key.count >= 32, "the link key must be at least 256 bits")
        self.key = key
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.paths = paths
    }

    /// Issues a link inside the caller's transaction and queues the email carrying it. The same
    /// limits as codes: one a minute per login and purpose, ten a day per address.
    public func issue(
        on connection: PostgresConnection, userID: Int64, purpose: Purpose, email: String,
        subject: String, message: (String) -> String
    ) throws {
        try connection.query("SELECT id FROM users WHERE id = $1 FOR UPDATE", [userID])
        let wait: Int? = try connection.query(
            """
            SELECT ceil($3 - EXTRACT(EPOCH FROM \(connection.now) - max(created_at)))::int AS wait
            FROM email_links WHERE user_id = $1 AND purpose = $2 AND created_at > \(connection.now) - make_interval(secs => $3)
            """, [userID, purpose.rawValue, OneTimeCodes.resendAfterSeconds]
        ).rows[0].decode("wait")
        if let wait, wait > 0 { throw OneTimeCodes.IssueRefusal.tooSoon(secondsLeft: wait) }
        let sentToday = try connection.query(
            "SELECT count(*) AS n FROM email_links WHERE lower(email) = lower($1) AND created_at > \(connection.now) - interval '1 day'", [email]
        ).rows[0].decode("n", as: Int.self)
        guard sentToday < OneTimeCodes.dailyLimitPerRecipient else { throw OneTimeCodes.IssueRefusal.dailyLimit }

        let token = Base64URL.encode(SecureRandom.bytes(32))
        try connection.execute(
            "UPDATE email_links SET used_at = \(connection.now) WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL", [userID, purpose.rawValue])
        try connection.execute(
            """
            INSERT INTO email_links (user_id, purpose, email, token_hash, created_at, expires_at)
            VALUES ($1, $2, $3, $4, \(connection.now), \(connection.now) + make_interval(secs => $5))
            """, [userID, purpose.rawValue, email, ByteA(hash(token)), purpose.validitySeconds])
        let url = "\(publicURL)\(paths[purpose] ?? "/")?token=\(token)"
        try Outbox.enqueue(on: connection, channel: .email, to: email, subject: subject, body: message(url), purpose: "\(purpose.rawValue)_link")
    }

    /// A link that is still good.
    public struct Valid: Sendable, Equatable {
        public let userID: Int64
        public let email: String

        public init(userID: Int64, email: String) {
            self.userID = userID
            self.email = email
        }
    }

    /// The link's user if the token is live for this purpose; `consume` also spends it.
    public func find(on connection: PostgresConnection, token: String, purpose: Purpose, consume: Bool) throws -> Valid? {
        guard token.utf8.count == 43, let bytes = Base64URL.decode(token), bytes.count == 32 else { return nil }
        guard
            let row = try connection.query(
                """
                SELECT id, user_id, email FROM email_links
                WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > \(connection.now)
                """ + (consume ? " FOR UPDATE" : ""), [ByteA(hash(token)), purpose.rawValue]
            ).rows.first
        else { return nil }
        if consume {
            try connection.execute("UPDATE email_links SET used_at = \(connection.now) WHERE id = $1", [try row.decode("id", as: Int64.self)])
        }
        return Valid(userID: try row.decode("user_id"), email: try row.decode("email"))
    }

    public func hash(_ token: String) -> [UInt8] {
        Digest.hmacSHA256(key: key, message: Array("email-link:\(token)".utf8))
    }
}
