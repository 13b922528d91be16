import Foundation

/// In development the secret key need not be configured: one is made on first start and kept
/// in the data folder (mode 0600), so codes issued before a restart still verify after it.
public enum DevelopmentSecret {
    public static func loadOrCreate(in directory: String) throws -> [UInt8] {
        let path = directory + "/secret.key"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8),
            let key = Base64URL.decode(existing.trimmingCharacters(in: .whitespacesAndNewlines)), key.count >= 32
        {
            return key
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let key = SecureRandom.bytes(32)
        FileManager.default.createFile(atPath: path, contents: Data(Base64URL.encode(key).utf8), attributes: [.posixPermissions: 0o600])
        return key
    }
}
