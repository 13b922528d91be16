import Configuration
import Foundation
import Logging

/// Every setting Meterline reads, read once at start from a `ConfigReader` (command line, then
/// environment, then defaults). Invalid values fail start-up together, with the list of problems.
public struct AppConfig: Sendable {
    public var host: String
    public var port: Int
    /// nil: start the embedded PostgreSQL in `dataDirectory/pg` (OP-1).
    public var databaseURL: String?
    public var databasePoolSize: Int
    public var dataDirectory: String
    public var templatesDirectory: String
    public var publicDirectory: String
    public var migrationsDirectory: String
    /// The address people use; an https:// one makes cookies Secure.
    public var publicURL: String
    public var sessionLifetimeSeconds: Int
    public var logLevel: Logger.Level

    /// Key names as written in code; the environment spells them upper-case with `_`
    /// (`database.url` is DATABASE_URL, `http.port` is HTTP_PORT).
    public enum Key {
        public static let host = "http.host"
        public static let port = "http.port"
        public static let databaseURL = "database.url"
        public static let databasePoolSize = "database.pool.size"
        public static let dataDirectory = "data.dir"
        public static let templatesDirectory = "templates.dir"
        public static let publicDirectory = "public.dir"
        public static let migrationsDirectory = "migrations.dir"
        public static let publicURL = "public.url"
        public static let sessionHours = "session.hours"
        public static let logLevel = "log.level"
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let problems: [String]
        public var description: String {
            "configuration is not valid:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    public static func load(from reader: ConfigReader) throws -> AppConfig {
        var problems = [String]()
        func text(_ key: String, _ fallback: String) -> String {
            reader.string(forKey: ConfigKey(key)).flatMap { $0.isEmpty ? nil : $0 } ?? fallback
        }
        func integer(_ key: String, _ fallback: Int, in range: ClosedRange<Int>) -> Int {
            let raw = text(key, String(fallback))
            guard let value = Int(raw), range.contains(value) else {
                problems.append("\(key) (\(environmentName(key))) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(raw)'")
                return fallback
            }
            return value
        }

        let rawLevel = text(Key.logLevel, "info")
        let level = Logger.Level(rawValue: rawLevel.lowercased())
        if level == nil {
            problems.append("\(Key.logLevel) (LOG_LEVEL) must be one of trace, debug, info, notice, warning, error, critical")
        }
        let databaseURL = reader.string(forKey: ConfigKey(Key.databaseURL)).flatMap { $0.isEmpty ? nil : $0 }
        if let databaseURL, !(databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://") || databaseURL.contains("=")) {
            problems.append("database.url (DATABASE_URL) must be a postgres:// URL or a libpq conninfo string")
        }
        let port = integer(Key.port, 8080, in: 1...65535)
        let host = text(Key.host, "127.0.0.1")
        let config = AppConfig(
            host: host,
            port: port,
            databaseURL: databaseURL,
            databasePoolSize: integer(Key.databasePoolSize, 8, in: 1...200),
            dataDirectory: text(Key.dataDirectory, ".meterline"),
            templatesDirectory: text(Key.templatesDirectory, "Templates"),
            publicDirectory: text(Key.publicDirectory, "Public"),
            migrationsDirectory: text(Key.migrationsDirectory, "Migrations"),
            publicURL: text(Key.publicURL, "http://\(host):\(port)"),
            sessionLifetimeSeconds: integer(Key.sessionHours, 12, in: 1...24 * 90) * 3600,
            logLevel: level ?? .info)
        for (key, path) in [(Key.templatesDirectory, config.templatesDirectory), (Key.publicDirectory, config.publicDirectory),
                            (Key.migrationsDirectory, config.migrationsDirectory)]
        where !FileManager.default.fileExists(atPath: path) {
            problems.append("\(key) (\(environmentName(key))): no folder at \(path) (run from the checkout, or set it)")
        }
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        return config
    }

    static func environmentName(_ key: String) -> String {
        key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// Cookies carry Secure when people reach us over TLS.
    public var servedOverTLS: Bool { publicURL.lowercased().hasPrefix("https://") }
}
