import Foundation
import Platform

/// BR-1: the meters a bridge lets in, with their public keys and the last sequence the portal
/// stored from each; as lines of `serial <tab> key <tab> sequence`.
public struct RegisteredMeters: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func list() async throws -> String {
        let rows = try await database.query(
            """
            SELECT m.serial, m.public_key, coalesce(h.last_sequence, 0) AS last_sequence
            FROM meters m LEFT JOIN meter_health h ON h.meter_id = m.id
            WHERE m.kind IN ('smart', 'prepaid') AND m.public_key IS NOT NULL AND m.status <> 'removed'
            ORDER BY m.serial
            """
        ).rows
        var text = ""
        text.reserveCapacity(rows.count * 100)
        for row in rows {
            text += try row.decode("serial", as: String.self) + "\t" + (try row.decode("public_key", as: String.self)) + "\t"
            text += String(try row.decode("last_sequence", as: Int64.self)) + "\n"
        }
        return text
    }
}
