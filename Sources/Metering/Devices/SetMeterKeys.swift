import Foundation
import Identity
import Platform

/// BR-4, MT-2: engineers load smart meters' public keys in bulk, as a manufacturer or the meter
/// simulator lists them (`serial <tab> key` per line). All lines are checked before anything is
/// stored; a key replaced is audited, since from then on the meter's old key is refused.
public struct SetMeterKeys: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case unreadable(line: Int)
        case badKey(line: Int)
        case unknownMeters([String])

        public var description: String {
            switch self {
            case .unreadable(let line): "Line \(line) is not a serial and a key separated by a tab."
            case .badKey(let line): "Line \(line): a public key is 66 hex characters starting 02 or 03 (compressed secp256k1)."
            case .unknownMeters(let serials):
                "Not smart or prepaid meters in the registry: \(serials.prefix(5).joined(separator: ", "))\(serials.count > 5 ? " and \(serials.count - 5) more" : "")."
            }
        }
    }

    /// Returns how many meters' keys changed.
    public func run(_ text: String, by userID: Int64?) async throws -> Int {
        var serials: [String] = []
        var keys: [String] = []
        for (index, line) in text.split(separator: "\n").enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = line.split(separator: "\t")
            guard fields.count == 2 else { throw Refusal.unreadable(line: index + 1) }
            let key = fields[1].trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            guard key.utf8.count == 66, key.hasPrefix("02") || key.hasPrefix("03"), Hex.decode(key) != nil else {
                throw Refusal.badKey(line: index + 1)
            }
            serials.append(String(fields[0]).trimmingCharacters(in: .whitespaces))
            keys.append(key)
        }
        let (serialList, keyList) = (TextList(serials), TextList(keys))
        return try await database.transaction { connection in
            let unknown: [String] = try connection.query(
                """
                SELECT s FROM unnest($1::text[]) AS s
                WHERE NOT EXISTS (SELECT 1 FROM meters m WHERE m.serial = s AND m.kind IN ('smart', 'prepaid'))
                """, [serialList]
            ).rows.map { try $0.decode("s") }
            guard unknown.isEmpty else { throw Refusal.unknownMeters(unknown) }
            let changed: [String] = try connection.query(
                """
                UPDATE meters m SET public_key = k.key
                FROM unnest($1::text[], $2::text[]) AS k (serial, key)
                WHERE m.serial = k.serial AND m.public_key IS DISTINCT FROM k.key
                RETURNING m.serial
                """, [serialList, keyList]
            ).rows.map { try $0.decode("serial") }
            if !changed.isEmpty {
                try AuditLog.record(
                    on: connection, .meterKeysSet, userID: userID, clientAddress: nil,
                    details: ["meters": String(changed.count), "first": changed[0]])
            }
            return changed.count
        }
    }
}
