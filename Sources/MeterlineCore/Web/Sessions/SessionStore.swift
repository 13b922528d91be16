import Foundation

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
}

/// Reads and writes the `sessions` table.
public struct SessionStore: Sendable {
    let database: Database
    public let lifetimeSeconds: Int

    public init(database: Database, lifetimeSeconds: Int) {
        self.database = database
        self.lifetimeSeconds = lifetimeSeconds
    }

    /// Starts a session; returns the token for the cookie and the session.
    public func create() async throws -> (token: String, session: Session) {
        let tokenBytes = SecureRandom.bytes(32)
        let idHash = Digest.sha256(tokenBytes)
        let csrf = SecureRandom.token()
        let lifetime = lifetimeSeconds
        let expiresAt = try await database.withConnection { connection in
            try connection.query(
                """
                INSERT INTO sessions (id_hash, csrf_token, expires_at)
                VALUES ($1, $2, now() + make_interval(secs => $3))
                RETURNING expires_at
                """, [ByteA(idHash), csrf, lifetime]
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
            guard let row = try connection.query(
                "SELECT csrf_token, expires_at, user_id, pending_user_id FROM sessions WHERE id_hash = $1 AND expires_at > now()",
                [ByteA(idHash)]
            ).rows.first else { return nil }
            var expiresAt = try row.decode("expires_at", as: Date.self)
            if expiresAt.timeIntervalSinceNow < Double(lifetime) / 2 {
                expiresAt = try connection.query(
                    """
                    UPDATE sessions SET expires_at = now() + make_interval(secs => $2), last_seen_at = now()
                    WHERE id_hash = $1 RETURNING expires_at
                    """, [ByteA(idHash), lifetime]
                ).rows[0].decode("expires_at", as: Date.self)
            }
            return Session(
                idHash: idHash, csrfToken: try row.decode("csrf_token"), expiresAt: expiresAt,
                userID: try row.decode("user_id"), pendingUserID: try row.decode("pending_user_id"))
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
            guard let row = try connection.query(
                """
                UPDATE sessions SET id_hash = $2, csrf_token = $3, expires_at = now() + make_interval(secs => $4),
                    last_seen_at = now()
                WHERE id_hash = $1 RETURNING expires_at
                """, [ByteA(session.idHash), ByteA(newHash), csrf, lifetime]
            ).rows.first else { throw SessionGone() }
            return try row.decode("expires_at", as: Date.self)
        }
        return (
            Base64URL.encode(tokenBytes),
            Session(
                idHash: newHash, csrfToken: csrf, expiresAt: expiresAt, userID: session.userID,
                pendingUserID: session.pendingUserID)
        )
    }

    /// Records who is signed in (nil: nobody) and which registration waits for its code.
    public func setOwner(_ session: Session, userID: Int64?, pendingUserID: Int64?) async throws {
        try await database.query(
            "UPDATE sessions SET user_id = $2, pending_user_id = $3 WHERE id_hash = $1",
            [ByteA(session.idHash), userID, pendingUserID])
    }

    /// Ends every session of a user ("sign out everywhere", password reset).
    public func destroyAll(userID: Int64) async throws {
        try await database.query("DELETE FROM sessions WHERE user_id = $1", [userID])
    }

    public func destroy(_ session: Session) async throws {
        try await database.query("DELETE FROM sessions WHERE id_hash = $1", [ByteA(session.idHash)])
    }

    /// Deletes expired sessions; returns how many.
    @discardableResult
    public func purgeExpired() async throws -> Int {
        try await database.query("DELETE FROM sessions WHERE expires_at <= now()").affectedRows
    }

    struct SessionGone: Error {}
}
