import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The embedded default (OP-1): a private PostgreSQL cluster in a local folder, created on first
/// use with Debian's `initdb`, started and stopped with `pg_ctl`, reachable only through a unix
/// socket inside that folder. When we run as root it runs as the unprivileged `postgres` user,
/// because PostgreSQL refuses to run as root.
public struct EmbeddedPostgres: Sendable {
    public struct Options: Sendable {
        public var port = 5432
        public var binDirectory = "/usr/lib/postgresql/15/bin"
        public var databaseName = "meterline"
        /// Extra `postgres -c` settings (tests turn off fsync, for example).
        public var settings: [String: String] = [:]
        public init() {}
    }

    public enum StartError: Error, CustomStringConvertible {
        case notInstalled(String)
        case noUnprivilegedUser
        case failed(String, log: String)

        public var description: String {
            switch self {
            case .notInstalled(let path):
                "PostgreSQL is not installed (\(path) is missing): apt-get install postgresql, or set DATABASE_URL"
            case .noUnprivilegedUser:
                "running as root, and there is no 'postgres' user to run the database as: apt-get install postgresql creates it"
            case .failed(let what, let log):
                "\(what)\n--- last lines of the PostgreSQL log ---\n\(log)"
            }
        }
    }

    /// Absolute path of the cluster's folder (`data/`, `run/`, logs).
    public let root: String
    public let options: Options
    public let logger: Logger
    public static let superuser = "meterline"

    public init(root: String, options: Options = Options(), logger: Logger) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
        self.options = options
        self.logger = logger
    }

    public var dataDirectory: String { root + "/data" }
    public var serverLog: String { root + "/postgres.log" }
    public var controlLog: String { root + "/pg_ctl.log" }

    /// Unix socket paths are limited to 107 bytes; a deep checkout falls back to a folder in /tmp.
    public var socketDirectory: String {
        let local = root + "/run"
        if local.utf8.count + 20 < 100 { return local }
        return "/tmp/meterline-" + Hex.encode(Digest.sha256(root).prefix(6))
    }

    /// A libpq conninfo for `database` (default: the application database) in this cluster.
    public func conninfo(database: String? = nil) -> String {
        func quoted(_ value: String) -> String {
            "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }
        return "host=\(quoted(socketDirectory)) port=\(options.port) user=\(Self.superuser) dbname=\(quoted(database ?? options.databaseName))"
    }

    /// Creates the cluster if needed and starts it; returns false when it was already running
    /// (another Meterline process on the same folder), in which case the caller must not stop it.
    @discardableResult
    public func start() throws -> Bool {
        let initdb = options.binDirectory + "/initdb"
        guard FileManager.default.isExecutableFile(atPath: initdb) else { throw StartError.notInstalled(initdb) }
        let owner = try prepareFolders()
        if try isRunning() {
            logger.info("embedded PostgreSQL already running", metadata: ["root": "\(root)"])
            try createDatabaseIfMissing()
            return false
        }
        if !FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            logger.info("creating embedded PostgreSQL cluster", metadata: ["data": "\(dataDirectory)"])
            try run(
                owner,
                [
                    initdb, "-D", dataDirectory, "-U", Self.superuser, "-A", "trust", "-E", "UTF8",
                    "--no-locale", "--no-instructions",
                ], what: "initdb")
        }
        var serverOptions = "-p \(options.port) -k '\(socketDirectory)' -c listen_addresses='' -c unix_socket_permissions=0700"
        for (key, value) in options.settings.sorted(by: { $0.key < $1.key }) {
            serverOptions += " -c \(key)=\(value)"
        }
        try run(
            owner,
            [
                options.binDirectory + "/pg_ctl", "-D", dataDirectory, "-l", serverLog, "-w", "-t", "60",
                "-o", serverOptions, "start",
            ], what: "pg_ctl start")
        logger.info("embedded PostgreSQL started", metadata: ["socket": "\(socketDirectory)"])
        try createDatabaseIfMissing()
        return true
    }

    /// Stops the cluster quickly and cleanly (`pg_ctl stop -m fast`): open transactions roll back.
    public func stop() throws {
        guard try isRunning() else { return }
        try run(
            try owner(), [options.binDirectory + "/pg_ctl", "-D", dataDirectory, "-m", "fast", "-w", "stop"],
            what: "pg_ctl stop")
        logger.info("embedded PostgreSQL stopped")
    }

    public func isRunning() throws -> Bool {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") else { return false }
        let status = try ProcessRunner.run(
            try owner().prefix + [options.binDirectory + "/pg_ctl", "-D", dataDirectory, "status"], logFile: controlLog)
        return status == 0
    }

    /// Who runs the server: ourselves, or `postgres` through runuser when we are root.
    public struct Owner {
        public var prefix: [String]
        public var uid: uid_t?
        public var gid: gid_t?

        public init(prefix: [String], uid: uid_t? = nil, gid: gid_t? = nil) {
            self.prefix = prefix
            self.uid = uid
            self.gid = gid
        }
    }

    private func owner() throws -> Owner {
        guard getuid() == 0 else { return Owner(prefix: [], uid: nil, gid: nil) }
        guard let entry = getpwnam("postgres") else { throw StartError.noUnprivilegedUser }
        let runuser =
            ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            } ?? "/usr/sbin/runuser"
        return Owner(prefix: [runuser, "-u", "postgres", "--"], uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    private func prepareFolders() throws -> Owner {
        let owner = try owner()
        for folder in [root, socketDirectory] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            chmod(folder, 0o700)
            if let uid = owner.uid, let gid = owner.gid { chown(folder, uid, gid) }
        }
        if owner.uid != nil {
            // The server user must be able to walk down to the folder.
            var parent = URL(fileURLWithPath: root).deletingLastPathComponent()
            while parent.path != "/" {
                var info = stat()
                if stat(parent.path, &info) == 0, info.st_mode & 0o001 == 0 {
                    throw StartError.failed(
                        "the postgres user cannot enter \(parent.path); set DATA_DIR to a folder it can reach",
                        log: "")
                }
                parent.deleteLastPathComponent()
            }
        }
        return owner
    }

    private func run(_ owner: Owner, _ command: [String], what: String) throws {
        let status = try ProcessRunner.run(owner.prefix + command, logFile: controlLog)
        guard status == 0 else {
            throw StartError.failed("\(what) failed (exit status \(status))", log: tail(of: [controlLog, serverLog]))
        }
    }

    private func tail(of files: [String]) -> String {
        files.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
            .flatMap { $0.split(separator: "\n").suffix(8) }
            .joined(separator: "\n")
    }

    private func createDatabaseIfMissing() throws {
        let name = options.databaseName
        precondition(name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }, "database names are plain identifiers")
        let connection = try PostgresConnection(conninfo: conninfo(database: "postgres"))
        let exists = try connection.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).rows.count == 1
        if !exists {
            // CREATE DATABASE takes no parameters; the name was checked to be a plain identifier above.
            try connection.execute("CREATE DATABASE \(identifier: name)")
        }
    }
}
