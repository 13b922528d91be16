import Accounts
import Foundation
import Identity
import Metering
import Notifications
import Platform

/// A server-side session (ID-8). The browser holds a random 256-bit token; the database holds
/// only its SHA-256, so a leaked sessions table does not let anyone sign in.
public struct Session: Sendable, Equatable {
    public let idHash: [UInt8]
    public let csrfToken: String
    public let expiresAt: Date
    /// The signed-in user, if any.
    public var userID: Int64? = nil
    /// A registration in this browser waiting for its SMS code.
    public var pendingUserID: Int64? = nil
    /// Staff: the authenticator code was accepted in this session.
    public var secondFactorPassed = false
    /// The signed-in login, read with the session in one round trip (nil when nobody is signed in).
    public var login: SignedInLogin? = nil
    /// A one-time notice for the next page (after a form post and its redirect).
    public var flash: String? = nil
}

/// Reads and writes the `sessions` table.
public struct SessionStore: Sendable {
    let database: Database
    public let lifetimeSeconds: Int
    /// Signs the form-token cookie of visitors without a session.
    let formKey: [UInt8]

    public init(database: Database, lifetimeSeconds: Int, formKey: [UInt8] = SecureRandom.bytes(32)) {
        self.database = database
        self.lifetimeSeconds = lifetimeSeconds
        self.formKey = formKey
    }

    /// A form token for a visitor without a session, carried by a signed cookie
    /// (`token.signature`) instead of a database row: reading the sign-in page writes nothing.
    public func newFormCookie() -> (token: String, cookie: String) {
        let token = SecureRandom.token()
        return (token, token + "." + signature(of: token))
    }

    /// The form token in a cookie, if its signature is ours.
    public func formToken(fromCookie cookie: String) -> String? {
        let parts = cookie.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, Digest.constantTimeEquals(Array(signature(of: String(parts[0])).utf8), Array(parts[1].utf8)) else {
            return nil
        }
        return String(parts[0])
    }

    private func signature(of token: String) -> String {
        Base64URL.encode(Digest.hmacSHA256(key: formKey, message: Array("form-token:\(token)".utf8)))
    }

    /// Starts a session; returns the token for the cookie and the session. The browser and address
    /// are kept so that the owner can recognise the session in their list. `csrf` keeps the form
    /// token the visitor already has, so the forms on pages already shown still work.
    public func create(userAgent: String? = nil, clientAddress: String? = nil, csrf: String? = nil) async throws -> (token: String, session: Session)
    {
        let tokenBytes = SecureRandom.bytes(32)
        let idHash = Digest.sha256(tokenBytes)
        let csrf = csrf ?? SecureRandom.token()
        let lifetime = lifetimeSeconds
        let expiresAt = try await database.withConnection { connection in
            try connection.query(
                """
                INSERT INTO sessions (id_hash, csrf_token, created_at, last_seen_at, expires_at, user_agent, client_address)
                VALUES ($1, $2, \(connection.now), \(connection.now), \(connection.now) + make_interval(secs => $3), $4, $5)
                RETURNING expires_at
                """, [ByteA(idHash), csrf, lifetime, userAgent.map { String($0.prefix(300)) }, clientAddress.map { String($0.prefix(45)) }]
            ).rows[0].decode("expires_at", as: Date.self)
        }
        return (Base64URL.encode(tokenBytes), Session(idHash: idHash, csrfToken: csrf, expiresAt: expiresAt))
    }

    /// The live session for a cookie token, or nil (unknown, expired or malformed token). A session
    /// past half its lifetime is extended, so active people stay signed in and idle ones do not.
    public func load(token: String) async throws -> Session? {
        guard let tokenBytes = Base64URL.decode(token), tokenBytes.count == 32 else { return nil }
        let idHash = Digest.sha256(tokenBytes)
        let lifetime = lifetimeSeconds
        return try await database.withConnection { connection in
            guard
                let row = try connection.query(
                    """
                    SELECT s.csrf_token, s.expires_at, s.user_id, s.pending_user_id, s.second_factor_at IS NOT NULL AS second_factor,
                           s.flash, \(SignedInLogin.columns(now: connection.now))
                    FROM sessions s
                    LEFT JOIN users u ON u.id = s.user_id
                    LEFT JOIN accounts a ON a.id = u.account_id
                    WHERE s.id_hash = $1 AND s.expires_at > \(connection.now)
                    """,
                    [ByteA(idHash)]
                ).rows.first
            else { return nil }
            var expiresAt = try row.decode("expires_at", as: Date.self)
            if expiresAt.timeIntervalSince(connection.clock.now) < Double(lifetime) / 2 {
                expiresAt = try connection.query(
                    """
                    UPDATE sessions SET expires_at = \(connection.now) + make_interval(secs => $2), last_seen_at = \(connection.now)
                    WHERE id_hash = $1 RETURNING expires_at
                    """, [ByteA(idHash), lifetime]
                ).rows[0].decode("expires_at", as: Date.self)
            }
            return Session(
                idHash: idHash, csrfToken: try row.decode("csrf_token"), expiresAt: expiresAt,
                userID: try row.decode("user_id"), pendingUserID: try row.decode("pending_user_id"),
                secondFactorPassed: try row.decode("second_factor"), login: try SignedInLogin(row: row), flash: try row.decode("flash"))
        }
    }

    /// Replaces a session's id (and CSRF token) in place, keeping its row: done at login so a
    /// token planted before login is worthless after it (session fixation).
    public func rotate(_ session: Session) async throws -> (token: String, session: Session) {
        let tokenBytes = SecureRandom.bytes(32)
        let newHash = Digest.sha256(tokenBytes)
        let csrf = SecureRandom.token()
        let lifetime = lifetimeSeconds
        let expiresAt = try await database.withConnection { connection in
            guard
                let row = try connection.query(
                    """
                    UPDATE sessions SET id_hash = $2, csrf_token = $3, expires_at = \(connection.now) + make_interval(secs => $4),
                        last_seen_at = \(connection.now)
                    WHERE id_hash = $1 RETURNING expires_at
                    """, [ByteA(session.idHash), ByteA(newHash), csrf, lifetime]
                ).rows.first
            else { throw SessionGone() }
            return try row.decode("expires_at", as: Date.self)
        }
        return (
            Base64URL.encode(tokenBytes),
            Session(
                idHash: newHash, csrfToken: csrf, expiresAt: expiresAt, userID: session.userID,
                pendingUserID: session.pendingUserID, secondFactorPassed: session.secondFactorPassed)
        )
    }

    /// Records who is signed in (nil: nobody) and which registration waits for its code.
    /// `clearSecondFactor` at every sign-in: a passed authenticator check belongs to that sign-in.
    public func setOwner(_ session: Session, userID: Int64?, pendingUserID: Int64?, clearSecondFactor: Bool) async throws {
        try await database.query(
            """
            UPDATE sessions SET user_id = $2, pending_user_id = $3,
                second_factor_at = CASE WHEN $4 THEN NULL ELSE second_factor_at END
            WHERE id_hash = $1
            """, [ByteA(session.idHash), userID, pendingUserID, clearSecondFactor])
    }

    /// Leaves a one-time notice for this session's next page; nil clears it.
    public func setFlash(_ session: Session, _ message: String?) async throws {
        try await database.query(
            "UPDATE sessions SET flash = $2 WHERE id_hash = $1", [ByteA(session.idHash), message.map { String($0.prefix(500)) }])
    }

    /// Staff: the authenticator code was accepted in this session.
    public func markSecondFactor(_ session: Session) async throws {
        try await database.query("UPDATE sessions SET second_factor_at = \(database.now) WHERE id_hash = $1", [ByteA(session.idHash)])
    }

    /// Ends every session of a user ("sign out everywhere", password reset).
    public func destroyAll(userID: Int64) async throws {
        try await database.query("DELETE FROM sessions WHERE user_id = $1", [userID])
    }

    /// A signed-in session as its owner sees it in the list.
    public struct Listed: Sendable, Encodable {
        /// Names the session in forms; a hash of the id, useless for signing in.
        public let handle: String
        public let browser: String
        public let address: String
        public let started: String
        public let lastSeen: String
        public let current: Bool
    }

    public func list(userID: Int64, current: Session) async throws -> [Listed] {
        try await database.query(
            """
            SELECT encode(id_hash, 'hex') AS handle, coalesce(user_agent, 'Unknown browser') AS browser,
                   coalesce(client_address, 'unknown') AS address,
                   to_char(created_at, 'YYYY-MM-DD HH24:MI') AS started, to_char(last_seen_at, 'YYYY-MM-DD HH24:MI') AS seen,
                   id_hash = $2 AS current
            FROM sessions WHERE user_id = $1 AND expires_at > \(database.now) ORDER BY last_seen_at DESC
            """, [userID, ByteA(current.idHash)]
        ).rows.map { row in
            Listed(
                handle: try row.decode("handle"), browser: try row.decode("browser"), address: try row.decode("address"),
                started: try row.decode("started"), lastSeen: try row.decode("seen"), current: try row.decode("current"))
        }
    }

    /// Ends one of the user's own sessions, named by its handle; another user's handle does nothing.
    public func destroy(handle: String, userID: Int64) async throws {
        guard let bytes = Hex.decode(handle), bytes.count == 32 else { return }
        try await database.query("DELETE FROM sessions WHERE id_hash = $1 AND user_id = $2", [ByteA(bytes), userID])
    }

    public func destroy(_ session: Session) async throws {
        try await database.query("DELETE FROM sessions WHERE id_hash = $1", [ByteA(session.idHash)])
    }

    /// Deletes expired sessions, and rate-limit windows over a day old; returns how many sessions.
    @discardableResult
    public func purgeExpired() async throws -> Int {
        try await database.query("DELETE FROM rate_limits WHERE window_start < \(database.now) - interval '1 day'")
        return try await database.query("DELETE FROM sessions WHERE expires_at <= \(database.now)").affectedRows
    }

    struct SessionGone: Error {}
}
