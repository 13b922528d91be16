import Accounts
import Identity
import Metering
import Notifications
import Platform

/// Counts requests per bucket (for example "login failures from 203.0.113.7") in fixed windows,
/// in PostgreSQL so every server sees the same counts (ID-9).
public struct RateLimiter: Sendable {
    public struct Limit: Sendable {
        public let name: String
        public let maximum: Int
        public let windowSeconds: Int

        public init(name: String, maximum: Int, windowSeconds: Int) {
            self.name = name
            self.maximum = maximum
            self.windowSeconds = windowSeconds
        }

        /// Sign-in failures from one client address.
        public static let loginFailuresPerAddress = Limit(name: "login-failures", maximum: 20, windowSeconds: 900)
        /// Registrations started from one client address.
        public static let registrationsPerAddress = Limit(name: "registrations", maximum: 10, windowSeconds: 3600)
        /// Username availability checks (as people type) from one client address.
        public static let usernameChecksPerAddress = Limit(name: "username-checks", maximum: 120, windowSeconds: 900)
        /// Codes checked or requested from one client address.
        public static let codesPerAddress = Limit(name: "codes", maximum: 30, windowSeconds: 900)
    }

    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Counts one hit; throws the 429 page when the bucket is over its limit.
    public func hit(_ limit: Limit, key: String) async throws {
        if let retryAfter = try await count(limit, key: key, add: 1) { throw PageError.tooManyRequests(retryAfter: retryAfter) }
    }

    /// Throws the 429 page if the bucket is already over its limit, without counting.
    public func check(_ limit: Limit, key: String) async throws {
        if let retryAfter = try await count(limit, key: key, add: 0) { throw PageError.tooManyRequests(retryAfter: retryAfter) }
    }

    /// Seconds until the window ends when over the limit, else nil.
    private func count(_ limit: Limit, key: String, add: Int) async throws -> Int? {
        let bucket = String("\(limit.name):\(key)".prefix(200))
        let row = try await database.withConnection { connection in
            try connection.query(
                """
                WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM \(connection.now)) / $2) * $2) AS start),
                cleared AS (DELETE FROM rate_limits WHERE bucket = $1 AND window_start < (SELECT start FROM w)),
                counted AS (
                    INSERT INTO rate_limits (bucket, window_start, hits)
                    SELECT $1, start, $3 FROM w WHERE $3 > 0
                    ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + EXCLUDED.hits
                    RETURNING hits)
                SELECT coalesce((SELECT hits FROM counted),
                                (SELECT hits FROM rate_limits WHERE bucket = $1 AND window_start = (SELECT start FROM w)), 0) AS hits,
                       ceil(extract(epoch FROM (SELECT start FROM w) + make_interval(secs => $2) - \(connection.now)))::int AS left
                """, [bucket, limit.windowSeconds, add]
            ).rows[0]
        }
        let hits: Int = try row.decode("hits")
        return hits > limit.maximum ? max(1, try row.decode("left", as: Int.self)) : nil
    }
}
