import Foundation
import Logging
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("Migrator")
struct MigratorTests {
    /// A migrations folder of the test's own, with the given files.
    struct Folder {
        let path: String
        init(_ files: [String: String]) throws {
            path = NSTemporaryDirectory() + "meterline-migrations-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            for (name, sql) in files { try write(name, sql) }
        }
        func write(_ name: String, _ sql: String) throws {
            try sql.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
        }
        var migrator: Migrator { Migrator(directory: path, logger: Logger(label: "test")) }
    }

    func tables(_ db: Database) async throws -> [String] {
        try await db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").rows.map {
            try $0.decode("tablename", as: String.self)
        }
    }

    @Test("migrations apply in version order and each is recorded once with its checksum")
    func appliesInOrder() async throws {
        let folder = try Folder([
            "0002_metering_meters.sql": "ALTER TABLE accounts ADD COLUMN meter text;",
            "0001_accounts_init.sql": "CREATE TABLE accounts (id int PRIMARY KEY);",
            "0010_metering_readings.sql": "CREATE TABLE readings (meter text);",
        ])
        try await withEmptyDatabase { db in
            let applied = try await folder.migrator.migrate(db)
            #expect(applied == ["0001_accounts_init.sql", "0002_metering_meters.sql", "0010_metering_readings.sql"])
            #expect(try await tables(db) == ["accounts", "readings", "schema_migrations"])
            let recorded = try await db.query("SELECT name, checksum FROM schema_migrations ORDER BY version").rows
            #expect(recorded.count == 3)
            #expect(try recorded[0].decode("checksum", as: String.self).count == 64)
            // Running again applies nothing.
            #expect(try await folder.migrator.migrate(db).isEmpty)
        }
    }

    @Test("a migration changed after it was applied stops start-up")
    func refusesChangedFile() async throws {
        let folder = try Folder(["0001_accounts_init.sql": "CREATE TABLE accounts (id int PRIMARY KEY);"])
        try await withEmptyDatabase { db in
            try await folder.migrator.migrate(db)
            try folder.write("0001_accounts_init.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY);")
            let error = await #expect(throws: MigrationError.self) { try await folder.migrator.migrate(db) }
            #expect(error == .changedAfterApply("0001_accounts_init.sql"))
            #expect(error?.description.contains("add a new file instead") == true)
        }
    }

    @Test("an applied migration missing from the folder stops start-up")
    func refusesMissingFile() async throws {
        let folder = try Folder(["0001_accounts_init.sql": "CREATE TABLE accounts (id int);"])
        try await withEmptyDatabase { db in
            try await folder.migrator.migrate(db)
            try FileManager.default.removeItem(atPath: folder.path + "/0001_accounts_init.sql")
            await #expect(throws: MigrationError.appliedFileMissing("0001_accounts_init.sql")) {
                try await folder.migrator.migrate(db)
            }
        }
    }

    @Test("a broken migration leaves the database as it was and names the file, line and PostgreSQL's message")
    func brokenMigrationChangesNothing() async throws {
        let folder = try Folder([
            "0001_accounts_init.sql": "CREATE TABLE accounts (id int PRIMARY KEY);",
            "0002_billing_bills.sql": """
            CREATE TABLE bills (id int PRIMARY KEY);
            INSERT INTO accounts VALUES (1);

            CREATE TABEL oops (id int);
            """,
        ])
        try await withEmptyDatabase { (db: Database) async throws in
            let error = await #expect(throws: MigrationError.self) { try await folder.migrator.migrate(db) }
            guard case .failed(let file, let line, let message) = error else {
                Issue.record("expected a failed migration, got \(String(describing: error))")
                return
            }
            #expect(file.hasSuffix("/0002_billing_bills.sql"))
            #expect(line == 4)
            #expect(message.contains("syntax error"))
            #expect(error?.description.contains("0002_billing_bills.sql:4:") == true)
            // 0001 is in; nothing of 0002 is: no bills table, no inserted row, no record of it.
            #expect(try await tables(db) == ["accounts", "schema_migrations"])
            #expect(try await db.query("SELECT * FROM accounts").rows.isEmpty)
            #expect(try await db.query("SELECT version FROM schema_migrations").rows.count == 1)
        }
    }

    @Test("files not named NNNN_domain_what.sql are refused")
    func refusesBadNames() throws {
        let folder = try Folder(["1_accounts.sql": "SELECT 1;"])
        #expect(throws: MigrationError.badFileName("1_accounts.sql")) { try folder.migrator.loadMigrations() }
    }

    @Test("two servers migrating at once take turns: each file is applied exactly once")
    func concurrentMigratorsTakeTurns() async throws {
        var files = [String: String]()
        for n in 1...5 {
            files[String(format: "%04d_test_step.sql", n).replacingOccurrences(of: "step", with: "step\(n)")] =
                "CREATE TABLE step\(n) (id int); SELECT pg_sleep(0.05);"
        }
        let folder = try Folder(files)
        try await withEmptyDatabase { db in
            async let first = folder.migrator.migrate(db)
            async let second = folder.migrator.migrate(db)
            let (a, b) = try await (first, second)
            #expect(a.count + b.count == 5)
            #expect(try await db.query("SELECT count(*) AS n FROM schema_migrations").rows[0].decode("n", as: Int.self) == 5)
        }
    }

    @Test("the shipped migrations apply to an empty database")
    func shippedMigrationsApply() async throws {
        try await withEmptyDatabase { db in
            let applied = try await Migrator(directory: Checkout.migrations, logger: Logger(label: "test")).migrate(db)
            #expect(applied.first == "0001_platform_init.sql")
            #expect(try await tables(db).contains("sessions"))
        }
    }
}
