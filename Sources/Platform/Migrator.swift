import Foundation
import Logging

/// One schema change: `Migrations/NNNN_<domain>_<what>.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    public let checksum: String

    public init(version: Int, name: String, sql: String, checksum: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = checksum
    }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case unreadableDirectory(String)
    case badFileName(String)
    case duplicateVersion(Int, String, String)
    case changedAfterApply(String)
    case appliedFileMissing(String)
    case failed(file: String, line: Int?, message: String)

    public var description: String {
        switch self {
        case .unreadableDirectory(let path):
            "cannot read the migrations folder \(path)"
        case .badFileName(let name):
            "\(name): a migration is named NNNN_<domain>_<what>.sql, e.g. 0002_identity_users.sql"
        case .duplicateVersion(let version, let first, let second):
            "\(first) and \(second) both claim version \(version)"
        case .changedAfterApply(let name):
            "\(name) was changed after it was applied; migrations are append-only: add a new file instead"
        case .appliedFileMissing(let name):
            "\(name) was applied to this database but is no longer in the migrations folder"
        case .failed(let file, let line, let message):
            "\(file)\(line.map { ":\($0)" } ?? ""): \(message); nothing from this file was applied"
        }
    }
}

/// Applies migrations in version order, each in its own transaction, recording name and checksum.
/// An advisory lock makes servers that start together take turns.
public struct Migrator: Sendable {
    public let directory: String
    public let logger: Logger
    /// Arbitrary, fixed: the lock id every Meterline process agrees on.
    public static let advisoryLockKey = 7_246_001

    public init(directory: String, logger: Logger) {
        self.directory = directory
        self.logger = logger
    }

    public func loadMigrations() throws -> [Migration] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw MigrationError.unreadableDirectory(directory)
        }
        var byVersion = [Int: Migration]()
        for name in names.sorted() where name.hasSuffix(".sql") {
            guard name.wholeMatch(of: /[0-9]{4}_[a-z0-9]+_[a-z0-9_]+\.sql/) != nil, let version = Int(name.prefix(4)),
                version > 0
            else { throw MigrationError.badFileName(name) }
            guard let data = FileManager.default.contents(atPath: directory + "/" + name),
                let sql = String(data: data, encoding: .utf8)
            else { throw MigrationError.unreadableDirectory(directory + "/" + name) }
            if let existing = byVersion[version] {
                throw MigrationError.duplicateVersion(version, existing.name, name)
            }
            byVersion[version] = Migration(
                version: version, name: name, sql: sql, checksum: Hex.encode(Digest.sha256(Array(data))))
        }
        return byVersion.values.sorted { $0.version < $1.version }
    }

    /// Applies what is missing and returns the names applied now.
    @discardableResult
    public func migrate(_ database: Database) async throws -> [String] {
        let migrations = try loadMigrations()
        let logger = self.logger
        return try await database.withConnection { connection in
            try connection.query("SELECT pg_advisory_lock($1)", [Self.advisoryLockKey])
            defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [Self.advisoryLockKey]) }
            try connection.executeScript(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY CHECK (version > 0),
                    name text NOT NULL UNIQUE,
                    checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let applied = try connection.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
                .rows.map {
                    (try $0.decode("version", as: Int.self), try $0.decode("name", as: String.self), try $0.decode("checksum", as: String.self))
                }
            let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
            for (version, name, checksum) in applied {
                guard let file = known[version], file.name == name else { throw MigrationError.appliedFileMissing(name) }
                guard file.checksum == checksum else { throw MigrationError.changedAfterApply(name) }
            }
            let appliedVersions = Set(applied.map(\.0))
            var newlyApplied = [String]()
            for migration in migrations where !appliedVersions.contains(migration.version) {
                try apply(migration, on: connection)
                logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
                newlyApplied.append(migration.name)
            }
            return newlyApplied
        }
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection) throws {
        try connection.execute("BEGIN")
        do {
            try connection.executeScript(migration.sql)
            try connection.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                [migration.version, migration.name, migration.checksum])
            try connection.execute("COMMIT")
        } catch let error as DatabaseError {
            _ = try? connection.execute("ROLLBACK")
            throw MigrationError.failed(
                file: directory + "/" + migration.name,
                line: error.position.map { Self.line(of: $0, in: migration.sql) },
                message: "ERROR: " + error.description)
        }
    }

    /// PostgreSQL reports a 1-based character position in the script; people want a line.
    public static func line(of position: Int, in sql: String) -> Int {
        var line = 1
        for (index, scalar) in sql.unicodeScalars.enumerated() {
            if index >= position - 1 { break }
            if scalar == "\n" { line += 1 }
        }
        return line
    }
}
