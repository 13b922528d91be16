import Foundation
import Logging

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

/// Where the checkout is, found from this file's path so tests run from any working directory.
enum Checkout {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.path
    }()
    static var migrations: String { root + "/Migrations" }
    static var templates: String { root + "/Templates" }
    static var publicFiles: String { root + "/Public" }
}

/// One PostgreSQL for the whole test run, started by the harness itself (the same embedded
/// cluster code the server uses, in /tmp, with durability off for speed). A template database is
/// migrated once per run; every test gets its own copy (`CREATE DATABASE … TEMPLATE`), so tests
/// are isolated and run in parallel.
actor TestCluster {
    static let shared = TestCluster()
    static let templateName = "meterline_template"

    let embedded: EmbeddedPostgres
    private var setup: Task<Database, any Error>?

    init() {
        var options = EmbeddedPostgres.Options()
        options.port = 5439
        options.databaseName = "postgres"
        options.settings = ["fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "1000"]
        var logger = Logger(label: "test-cluster")
        logger.logLevel = .warning
        embedded = EmbeddedPostgres(root: "/tmp/meterline-test-pg-\(getuid())", options: options, logger: logger)
    }

    /// A connection pool to the `postgres` database, for creating and dropping test databases.
    private func admin() async throws -> Database {
        if let setup { return try await setup.value }
        let task = Task { [embedded] in
            try embedded.start()
            let admin = Database(.init(url: embedded.conninfo(database: "postgres"), poolSize: 4, limits: .unlimited))
            let stale = try await admin.query(
                "SELECT datname FROM pg_database WHERE datname LIKE 't\\_%' OR datname = $1", [Self.templateName])
            for row in stale.rows {
                let name: String = try row.decode("datname")
                try await admin.query("DROP DATABASE \(identifier: name) WITH (FORCE)")
            }
            try await admin.query("CREATE DATABASE \(identifier: Self.templateName)")
            let template = Database(.init(url: embedded.conninfo(database: Self.templateName), poolSize: 1, limits: .unlimited))
            try await Migrator(directory: Checkout.migrations, logger: Logger(label: "test-migrator")).migrate(template)
            await template.shutdown()
            return admin
        }
        setup = task
        return try await task.value
    }

    /// A new, migrated, empty database of the test's own.
    func createDatabase(poolSize: Int = 4, clock: any WallClock = SystemClock()) async throws -> (name: String, database: Database) {
        let admin = try await admin()
        let name = "t_" + Hex.encode(SecureRandom.bytes(8))
        try await admin.query("CREATE DATABASE \(identifier: name) TEMPLATE \(identifier: Self.templateName)")
        return (name, Database(.init(url: embedded.conninfo(database: name), poolSize: poolSize, limits: .unlimited), clock: clock))
    }

    /// A new database with nothing in it (no migrations), for migrator tests.
    func createEmptyDatabase() async throws -> (name: String, database: Database) {
        let admin = try await admin()
        let name = "t_" + Hex.encode(SecureRandom.bytes(8))
        try await admin.query("CREATE DATABASE \(identifier: name)")
        return (name, Database(.init(url: embedded.conninfo(database: name), poolSize: 4, limits: .unlimited)))
    }

    func drop(_ name: String) async throws {
        try await admin().query("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
    }

    func conninfo(database: String) -> String { embedded.conninfo(database: database) }
}

/// Runs `body` with a fresh migrated database, dropped afterwards. Give a `MovableClock` to move
/// the time every rule reads.
func withTestDatabase<T>(
    poolSize: Int = 4, clock: any WallClock = SystemClock(), _ body: (Database) async throws -> T
) async throws -> T {
    let (name, database) = try await TestCluster.shared.createDatabase(poolSize: poolSize, clock: clock)
    do {
        let value = try await body(database)
        await database.shutdown()
        try await TestCluster.shared.drop(name)
        return value
    } catch {
        await database.shutdown()
        try? await TestCluster.shared.drop(name)
        throw error
    }
}

/// Runs `body` with a fresh database that has no migrations applied.
func withEmptyDatabase<T>(_ body: (Database) async throws -> T) async throws -> T {
    let (name, database) = try await TestCluster.shared.createEmptyDatabase()
    do {
        let value = try await body(database)
        await database.shutdown()
        try await TestCluster.shared.drop(name)
        return value
    } catch {
        await database.shutdown()
        try? await TestCluster.shared.drop(name)
        throw error
    }
}
