/// ID-2: username (or email) and password. The answer is the same whether the login is unknown
/// or the password wrong, and takes as long, so it does not tell which logins exist.
struct SignIn: Sendable {
    let database: Database
    let passwords: PasswordHasher

    enum Outcome: Equatable, Sendable {
        case signedIn(userID: Int64)
        /// Registered, mobile not yet verified: finish verification first.
        case needsVerification(userID: Int64)
        case suspended
        case refused
    }

    func run(login: String, password: String) async throws -> Outcome {
        guard !login.isEmpty, !password.isEmpty, password.utf8.count <= PasswordHasher.maximumLength else { return .refused }
        let row = try await database.query(
            """
            SELECT id, password_hash, status FROM users
            WHERE lower(username) = lower($1) OR (email IS NOT NULL AND lower(email) = lower($1))
            ORDER BY id LIMIT 1
            """, [login]
        ).rows.first
        guard let row else {
            // One Argon2 run, as a real check costs, so timing does not reveal that none exists.
            _ = try await passwords.hash(password)
            return .refused
        }
        let userID: Int64 = try row.decode("id")
        let stored: String = try row.decode("password_hash")
        guard try await passwords.verify(password, against: stored) else { return .refused }
        switch try row.decode("status", as: String.self) {
        case "pending": return .needsVerification(userID: userID)
        case "suspended": return .suspended
        default: break
        }
        // Parameters changed since this hash was made: store a fresh one now that we know the password.
        let rehash: String? = passwords.needsRehash(stored) ? try await passwords.hash(password) : nil
        try await database.query(
            "UPDATE users SET last_login_at = now(), password_hash = coalesce($2, password_hash) WHERE id = $1",
            [userID, rehash])
        return .signedIn(userID: userID)
    }
}
