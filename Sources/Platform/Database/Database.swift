import Logging
import NIOPosix

/// The application's way into PostgreSQL: a bounded pool of libpq connections whose blocking
/// calls run on a dedicated thread pool, never on a NIO event loop.
public final class Database: Sendable {
    public struct Configuration: Sendable {
        public var url: String
        public var poolSize: Int
        public var connectTimeoutSeconds: Int
        public var limits: Limits

        public init(url: String, poolSize: Int = 8, connectTimeoutSeconds: Int = 5, limits: Limits = .init()) {
            self.url = url
            self.poolSize = poolSize
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.limits = limits
        }
    }

    /// How long anything may take before it is given up with a clear error, so one slow query or
    /// a held lock cannot hang requests. 0 turns a server-side timeout off.
    public struct Limits: Sendable, Equatable {
        public var statementTimeoutMilliseconds: Int
        public var lockTimeoutMilliseconds: Int
        /// How long a caller waits for a pooled connection before `DatabaseError.Kind.busy`.
        public var poolWaitMilliseconds: Int

        public init(statementTimeoutMilliseconds: Int = 30_000, lockTimeoutMilliseconds: Int = 5_000, poolWaitMilliseconds: Int = 5_000) {
            self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
            self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
            self.poolWaitMilliseconds = poolWaitMilliseconds
        }

        /// For batch commands (migrations, the demo town): no server-side timeouts.
        public static let unlimited = Limits(statementTimeoutMilliseconds: 0, lockTimeoutMilliseconds: 0, poolWaitMilliseconds: 600_000)
    }

    /// How a transaction sees other transactions' writes (PostgreSQL's levels).
    public enum Isolation: String, Sendable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    public let configuration: Configuration
    private let pool: ConnectionPool
    private let threads: NIOThreadPool
    /// Each statement with its duration, at debug level.
    private let logger: Logger?
    /// The time every rule reads; see `WallClock`.
    public let clock: any WallClock

    public init(_ configuration: Configuration, logger: Logger? = nil, clock: any WallClock = SystemClock()) {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        self.pool = ConnectionPool(capacity: configuration.poolSize, waitMilliseconds: configuration.limits.poolWaitMilliseconds)
        // One thread per connection: a leased connection never waits for a thread.
        self.threads = NIOThreadPool(numberOfThreads: configuration.poolSize)
        threads.start()
    }

    /// Runs `body` with a connection of its own on a database thread. The body's SQL calls block;
    /// keep slow non-database work (password hashing, HTTP calls) outside it.
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let connection: PostgresConnection
        switch try await pool.lease() {
        case .connection(let leased):
            connection = leased
        case .slot:
            let settings = configuration
            do {
                let logger = self.logger.flatMap { $0.logLevel <= .debug ? $0 : nil }
                let clock = self.clock
                connection = try await threads.runIfActive {
                    try PostgresConnection(
                        conninfo: settings.url, connectTimeoutSeconds: settings.connectTimeoutSeconds,
                        statementTimeoutMilliseconds: settings.limits.statementTimeoutMilliseconds,
                        lockTimeoutMilliseconds: settings.limits.lockTimeoutMilliseconds, logger: logger, clock: clock)
                }
            } catch {
                await pool.releaseSlot()
                throw error
            }
        }
        do {
            let value = try await threads.runIfActive { try body(connection) }
            await pool.giveBack(connection)
            return value
        } catch {
            await pool.giveBack(connection)
            throw error
        }
    }

    /// Runs `body` inside BEGIN … COMMIT; any error thrown rolls everything back. A transaction
    /// that PostgreSQL ends for a serialization failure or a deadlock is run again from the start,
    /// up to `retries` more times, so `body` must do nothing outside the database.
    public func transaction<T: Sendable>(
        isolation: Isolation = .readCommitted, retries: Int = 3,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await withConnection { connection in
                    try connection.executeScript("BEGIN ISOLATION LEVEL " + isolation.rawValue)
                    do {
                        let value = try body(connection)
                        try connection.execute("COMMIT")
                        return value
                    } catch {
                        // A failed ROLLBACK means the connection broke; the pool then discards it.
                        _ = try? connection.execute("ROLLBACK")
                        throw error
                    }
                }
            } catch let error as DatabaseError where error.isRetryable && attempt < retries {
                attempt += 1
                logger?.debug("transaction retried", metadata: ["sqlstate": "\(error.sqlState ?? "")", "attempt": "\(attempt)"])
            }
        }
    }

    /// Shorthand for one statement on a pooled connection.
    @discardableResult
    public func query(_ statement: SQL, _ parameters: [any SQLEncodable] = []) async throws -> QueryResult {
        try await withConnection { try $0.query(statement, parameters) }
    }

    /// The clock's time as a statement fragment (`$n::timestamptz`), used instead of `now()`.
    public var now: SQL { "\(clock.now)::timestamptz" }

    public var statistics: PoolStatistics {
        get async { await pool.statistics }
    }

    public func shutdown() async {
        await pool.shutdown()
        try? await threads.shutdownGracefully()
    }
}
