import Notifications
import Platform

/// ID-2 and ID-5: username (or email) and password. The answer is the same whether the login is
/// unknown or the password wrong, and takes as long, so it does not tell which logins exist.
/// Five failures in a row lock password sign-in for a while and text the owner an unlock code:
/// a lock can be abused to shut a real person out, so the owner can always undo it at once.
public struct SignIn: Sendable {
    public let database: Database
    public let passwords: PasswordHasher
    public let codes: OneTimeCodes
    public let lockSeconds: Int
    public let idleDays: Int

    public init(database: Database, passwords: PasswordHasher, codes: OneTimeCodes, lockSeconds: Int, idleDays: Int) {
        self.database = database
        self.passwords = passwords
        self.codes = codes
        self.lockSeconds = lockSeconds
        self.idleDays = idleDays
    }
    public static let failuresBeforeLock = 5

    public enum Outcome: Equatable, Sendable {
        case signedIn(userID: Int64, staff: Bool)
        /// Registered, mobile not yet verified: finish verification first.
        case needsVerification(userID: Int64)
        case suspended
        /// Right password, but unused for too long: reactivate with a code (ID-5).
        case idle
        /// Right password, but the login is locked (only then is the lock revealed).
        case locked(minutesLeft: Int)
        case refused
    }

    public func run(login: String, password: String, clientAddress: String) async throws -> Outcome {
        guard !login.isEmpty, !password.isEmpty, password.utf8.count <= PasswordHasher.maximumLength else { return .refused }
        let row = try await database.query(
            """
            SELECT id, password_hash, status, suspended_reason, kind = 'staff' AS staff,
                   kind = 'consumer' AND coalesce(last_login_at, created_at) < \(database.now) - make_interval(days => $2) AS idle,
                   ceil(extract(epoch FROM locked_until - \(database.now)) / 60)::int AS lock_minutes
            FROM users
            WHERE lower(username) = lower($1) OR (email IS NOT NULL AND lower(email) = lower($1))
            ORDER BY id LIMIT 1
            """, [login, idleDays]
        ).rows.first
        guard let row else {
            // One Argon2 run, as a real check costs, so timing does not reveal that none exists.
            _ = try await passwords.hash(password)
            try await AuditLog.record(
                in: database, .loginFailed, userID: nil, clientAddress: clientAddress, details: ["login": String(login.prefix(64))])
            return .refused
        }
        let userID: Int64 = try row.decode("id")
        let stored: String = try row.decode("password_hash")
        let lockMinutes: Int? = try row.decode("lock_minutes")
        guard try await passwords.verify(password, against: stored) else {
            let alreadyLocked = (lockMinutes ?? 0) > 0
            try await countFailure(userID: userID, clientAddress: clientAddress, alreadyLocked: alreadyLocked)
            return .refused
        }
        if let lockMinutes, lockMinutes > 0 { return .locked(minutesLeft: lockMinutes) }
        switch try row.decode("status", as: String.self) {
        case "pending": return .needsVerification(userID: userID)
        case "suspended": return try row.decode("suspended_reason", as: String?.self) == "idle" ? .idle : .suspended
        default: break
        }
        if try row.decode("idle", as: Bool.self) {
            try await database.query(
                "UPDATE users SET status = 'suspended', suspended_reason = 'idle' WHERE id = $1 AND status = 'active'", [userID])
            return .idle
        }
        // Parameters changed since this hash was made: store a fresh one now that we know the password.
        let rehash: String? = passwords.needsRehash(stored) ? try await passwords.hash(password) : nil
        try await database.transaction { connection in
            try connection.execute(
                """
                UPDATE users SET last_login_at = \(connection.now), locked_until = NULL,
                    failed_logins = CASE WHEN kind = 'staff' THEN failed_logins ELSE 0 END,
                    password_hash = coalesce($2, password_hash)
                WHERE id = $1
                """, [userID, rehash])
            try AuditLog.record(on: connection, .loginSucceeded, userID: userID, clientAddress: clientAddress)
        }
        return .signedIn(userID: userID, staff: try row.decode("staff"))
    }

    /// One more failure in a row; the fifth locks the login and tells the owner by SMS. Failures
    /// against a login that is already locked are recorded but do not extend the lock. True when
    /// this failure locked the login.
    @discardableResult
    public func countFailure(userID: Int64, clientAddress: String, alreadyLocked: Bool) async throws -> Bool {
        try await database.transaction { connection in
            try recordFailure(on: connection, userID: userID, clientAddress: clientAddress, alreadyLocked: alreadyLocked)
        }
    }

    /// `countFailure` inside the caller's transaction, which should hold the user's row lock, so
    /// that failures sent at once are counted one after the other.
    public func recordFailure(on connection: PostgresConnection, userID: Int64, clientAddress: String, alreadyLocked: Bool) throws -> Bool {
        let (codes, lockSeconds) = (self.codes, self.lockSeconds)
        try AuditLog.record(on: connection, .loginFailed, userID: userID, clientAddress: clientAddress)
        guard !alreadyLocked else { return false }
        let row = try connection.query(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins, mobile, status",
            [userID]
        ).rows[0]
        guard try row.decode("failed_logins", as: Int.self) >= Self.failuresBeforeLock else { return false }
        try connection.execute(
            "UPDATE users SET failed_logins = 0, locked_until = \(connection.now) + make_interval(secs => $2) WHERE id = $1",
            [userID, lockSeconds])
        try AuditLog.record(
            on: connection, .loginLocked, userID: userID, clientAddress: clientAddress, details: ["minutes": String(lockSeconds / 60)])
        guard let mobile: String = try row.decode("mobile"), try row.decode("status", as: String.self) == "active" else { return true }
        let minutes = lockSeconds / 60
        do {
            try codes.issue(on: connection, userID: userID, purpose: .unlock, recipient: mobile) {
                "Meterline: your login was locked for \(minutes) minutes after 5 failed sign-in attempts. "
                    + "If that was you, unlock it now with code \($0) at /unlock. If not, nobody signed in."
            }
        } catch is OneTimeCodes.IssueRefusal {
            // No code can be sent now (daily limit): still tell the owner what happened.
            try Outbox.enqueue(
                on: connection, channel: .sms, to: mobile,
                body: "Meterline: your login was locked for \(minutes) minutes after 5 failed sign-in attempts.",
                purpose: "login_locked")
        }
        return true
    }
}
