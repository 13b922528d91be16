import Foundation
import Identity
import MeterProtocol
import Platform

/// BL-8: the vending keys engineers load, one per supply group and key revision. A key is sealed
/// as it arrives and never shown again; a fingerprint tells keys apart. The newest revision of a
/// supply group is the one tokens are made with.
public struct VendingKeys: Sendable {
    public let database: Database
    let box: SecretBox

    public init(database: Database, box: SecretBox) {
        self.database = database
        self.box = box
    }

    public enum Field: String, Sendable, CaseIterable {
        case supplyGroup = "supply_group"
        case keyRevision = "key_revision"
        case keyType = "key_type"
        case key
    }

    public struct Refused: Error, Equatable {
        public let problems: [Field: String]
    }

    public struct Loaded: Sendable, Equatable {
        public let supplyGroup: String
        public let keyRevision: Int
        public let fingerprint: String
        /// Prepaid meters given their key settings with this key.
        public let enrolled: Int
    }

    public func load(supplyGroup: String, keyRevision: String, keyType: String, key text: String, by userID: Int64?) async throws -> Loaded {
        var problems: [Field: String] = [:]
        let group = supplyGroup.trimmingCharacters(in: .whitespaces)
        if group.count != 6 || !group.allSatisfy(\.isASCIIDigit) { problems[.supplyGroup] = "A supply group code has 6 digits." }
        let revision = Int(keyRevision.trimmingCharacters(in: .whitespaces)).flatMap { (1...9).contains($0) ? $0 : nil }
        if revision == nil { problems[.keyRevision] = "A key revision is a number from 1 to 9." }
        let type = Int(keyType.trimmingCharacters(in: .whitespaces)).flatMap { (0...2).contains($0) ? $0 : nil }
        if type == nil { problems[.keyType] = "The key type is 0, 1 or 2 (2 for a vending unique key)." }
        let hex = text.filter { !$0.isWhitespace }.lowercased()
        let bytes = hex.count == 16 ? Hex.decode(hex) : nil
        if bytes == nil { problems[.key] = "A vending key is 16 hexadecimal digits (0–9, a–f)." }
        guard problems.isEmpty, let revision, let type, let bytes else { throw Refused(problems: problems) }
        let fingerprint = String(Hex.encode(Digest.sha256(bytes)).prefix(8))
        let now = database.clock.now
        let box = box
        return try await database.transaction { connection in
            let stored = try connection.query(
                """
                INSERT INTO vending_keys (supply_group, key_revision, key_type, sealed_key, fingerprint, loaded_by, loaded_at)
                VALUES (\(group), \(revision), \(type), \(ByteA(box.seal(bytes))), \(fingerprint), \(userID), \(now))
                ON CONFLICT DO NOTHING RETURNING id
                """
            ).rows
            guard !stored.isEmpty else {
                throw Refused(problems: [.keyRevision: "Supply group \(group) has a key with revision \(revision) already: use the next revision."])
            }
            try AuditLog.record(
                on: connection, .vendingKeyLoaded, userID: userID, clientAddress: nil,
                details: ["supply_group": group, "key_revision": String(revision), "fingerprint": fingerprint])
            let enrolled = try PrepaidMeter.enrolAll(supplyGroup: group, keyRevision: revision, at: now, on: connection)
            return Loaded(supplyGroup: group, keyRevision: revision, fingerprint: fingerprint, enrolled: enrolled)
        }
    }

    public struct Summary: Sendable, Equatable, Encodable {
        public let supplyGroup: String
        public let keyRevision: Int
        public let keyType: Int
        public let fingerprint: String
        public let loadedAt: String
    }

    public func list() async throws -> [Summary] {
        try await database.query(
            """
            SELECT supply_group, key_revision, key_type, fingerprint, to_char(loaded_at, 'YYYY-MM-DD HH24:MI') AS loaded
            FROM vending_keys ORDER BY supply_group, key_revision DESC
            """
        ).rows.map { row in
            Summary(
                supplyGroup: try row.decode("supply_group"), keyRevision: try row.decode("key_revision"), keyType: try row.decode("key_type"),
                fingerprint: try row.decode("fingerprint"), loadedAt: try row.decode("loaded"))
        }
    }

    /// The key of a supply group's revision, opened, with its key type.
    static func open(supplyGroup: String, keyRevision: Int, box: SecretBox, on connection: PostgresConnection) throws -> (key: UInt64, type: Int)? {
        guard
            let row = try connection.query(
                "SELECT sealed_key, key_type FROM vending_keys WHERE supply_group = \(supplyGroup) AND key_revision = \(keyRevision)"
            ).rows.first,
            let bytes = box.open(try row.decode("sealed_key", as: ByteA.self).bytes), bytes.count == 8
        else { return nil }
        return (bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, try row.decode("key_type"))
    }
}
