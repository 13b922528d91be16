import CArgon2
import NIOPosix
import Notifications
import Platform

/// Argon2id password hashing through libargon2 (ID-10). Hashing takes tens of milliseconds of
/// CPU by design, so it runs on a thread pool of its own, never on an event loop or a database thread.
public final class PasswordHasher: Sendable {
    public struct Parameters: Sendable, Equatable {
        /// Memory in KiB (OWASP: 19 MiB with 2 passes and 1 lane).
        public var memoryKiB: UInt32 = 19_456
        public var iterations: UInt32 = 2
        public var parallelism: UInt32 = 1
        public init() {}
        public init(memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32) {
            self.memoryKiB = memoryKiB
            self.iterations = iterations
            self.parallelism = parallelism
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let code: Int32

        public init(code: Int32) {
            self.code = code
        }
        public var description: String { "argon2: " + String(cString: argon2_error_message(code)) }
    }

    public let parameters: Parameters
    private let threads: NIOThreadPool
    public static let saltLength = 16
    public static let hashLength = 32
    /// Longer inputs are refused before hashing: a megabyte "password" is an attack, not a password.
    public static let maximumLength = 256

    public init(parameters: Parameters, threads: Int) {
        self.parameters = parameters
        self.threads = NIOThreadPool(numberOfThreads: threads)
        self.threads.start()
    }

    /// The PHC string to store: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`.
    public func hash(_ password: String) async throws -> String {
        let parameters = self.parameters
        return try await threads.runIfActive { try Self.hashNow(password, parameters: parameters) }
    }

    /// True when `password` matches the stored hash. A malformed stored hash never matches.
    public func verify(_ password: String, against encoded: String) async throws -> Bool {
        try await threads.runIfActive { Self.verifyNow(password, against: encoded) }
    }

    /// True when a stored hash was made with other parameters than the configured ones: the
    /// caller rehashes it at the next successful login.
    public func needsRehash(_ encoded: String) -> Bool {
        guard let stored = Self.parameters(of: encoded) else { return true }
        return stored != parameters
    }

    public func shutdown() async {
        try? await threads.shutdownGracefully()
    }

    public static func hashNow(_ password: String, parameters: Parameters) throws -> String {
        let salt = SecureRandom.bytes(saltLength)
        let length = argon2_encodedlen(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism, UInt32(saltLength), UInt32(hashLength),
            Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let bytes = Array(password.utf8)
        let result = argon2id_hash_encoded(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism, bytes, bytes.count, salt, salt.count,
            hashLength, &encoded, length)
        guard result == ARGON2_OK.rawValue else { throw Failure(code: result) }
        let end = encoded.firstIndex(of: 0) ?? encoded.count
        return String(decoding: encoded[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func verifyNow(_ password: String, against encoded: String) -> Bool {
        guard encoded.hasPrefix("$argon2id$") else { return false }
        let bytes = Array(password.utf8)
        return argon2id_verify(encoded, bytes, bytes.count) == ARGON2_OK.rawValue
    }

    /// Reads m, t and p from a PHC string.
    public static func parameters(of encoded: String) -> Parameters? {
        let fields = encoded.split(separator: "$")
        guard fields.count == 5, fields[0] == "argon2id" else { return nil }
        var values = [Substring: UInt32]()
        for pair in fields[2].split(separator: ",") {
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let value = UInt32(parts[1]) else { return nil }
            values[parts[0]] = value
        }
        guard let m = values["m"], let t = values["t"], let p = values["p"] else { return nil }
        return Parameters(memoryKiB: m, iterations: t, parallelism: p)
    }
}
