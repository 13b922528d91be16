import Foundation
import Platform

/// The installed smart meters, for the meter simulator (BR-4): serial, the account's category,
/// the register as the portal last heard it, and when (seconds since 1970), tab-separated.
public struct SmartMeterList: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func list(limit: Int) async throws -> String {
        let rows = try await database.query(
            """
            SELECT m.serial, a.category, last.value, extract(epoch FROM last.read_at)::bigint AS at
            FROM meters m
            JOIN meter_installations i ON i.meter_id = m.id AND i.removed_on IS NULL
            JOIN accounts a ON a.id = i.account_id
            CROSS JOIN LATERAL (
                SELECT value, read_at FROM readings_raw r WHERE r.meter_id = m.id ORDER BY read_at DESC LIMIT 1
            ) last
            WHERE m.kind = 'smart' AND a.status = 'active'
            ORDER BY m.serial LIMIT \(limit)
            """
        ).rows
        var text = ""
        for row in rows {
            text += try row.decode("serial", as: String.self) + "\t" + (try row.decode("category", as: String.self))
            text += "\t\(try row.decode("value", as: Int64.self))\t\(try row.decode("at", as: Int64.self))\n"
        }
        return text
    }
}
