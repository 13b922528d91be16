import Logging
import NIOPosix

/// The application's way into PostgreSQL: a bounded pool of libpq connections whose blocking
/// calls run on a dedicated thread pool, never on a NIO event loop.
public final class Database: Sendable {
    public struct Configuration: Sendable {
        public var url: String
        public var poolSize: Int
        public var connectTimeoutSeconds: Int

        public init(url: String, poolSize: Int = 8, connectTimeoutSeconds: Int = 5) {
            self.url = url
            self.poolSize = poolSize
            self.connectTimeoutSeconds = connectTimeoutSeconds
        }
    }

    public let configuration: Configuration
    private let pool: ConnectionPool
    private let threads: NIOThreadPool

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        self.pool = ConnectionPool(capacity: configuration.poolSize)
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
                connection = try await threads.runIfActive {
                    try PostgresConnection(conninfo: settings.url, connectTimeoutSeconds: settings.connectTimeoutSeconds)
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

    /// Runs `body` inside BEGIN … COMMIT; any error thrown rolls everything back.
    public func transaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            try connection.execute("BEGIN")
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
    }

    /// Shorthand for one statement on a pooled connection.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any SQLEncodable] = []) async throws -> QueryResult {
        try await withConnection { try $0.query(sql, parameters) }
    }

    public var statistics: PoolStatistics {
        get async { await pool.statistics }
    }

    public func shutdown() async {
        await pool.shutdown()
        try? await threads.shutdownGracefully()
    }
}
