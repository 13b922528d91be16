import Foundation
import Platform

/// The installed smart and prepaid meters, for the meter simulator (BR-4): serial, the account's
/// category, the register as the portal last heard it, and when (seconds since 1970); for a
/// prepaid meter also what its decoder key is made from (meter number, supply group, tariff index,
/// key revision: BL-8), tab-separated. A fifth of the list is prepaid meters, when there are some.
public struct SmartMeterList: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func list(limit: Int) async throws -> String {
        let rows = try await database.query(
            """
            (\(Self.query(kind: "prepaid")) LIMIT \(limit / 5))
            UNION ALL
            (\(Self.query(kind: "smart")) LIMIT \(limit - limit / 5))
            ORDER BY serial LIMIT \(limit)
            """
        ).rows
        var text = ""
        for row in rows {
            text += try row.decode("serial", as: String.self) + "\t" + (try row.decode("category", as: String.self))
            text += "\t\(try row.decode("value", as: Int64.self))\t\(try row.decode("at", as: Int64.self))"
            if let pan: String = try row.decode("pan") {
                text += "\t\(pan)\t\(try row.decode("supply_group", as: String.self))\t\(try row.decode("tariff_index", as: String.self))"
                text += "\t\(try row.decode("key_revision", as: Int.self))"
            }
            text += "\n"
        }
        return text
    }

    private static func query(kind: String) -> SQL {
        """
        SELECT m.serial, a.category, coalesce(last.value, i.initial_reading) AS value,
               extract(epoch FROM coalesce(last.read_at, i.installed_on::timestamptz))::bigint AS at,
               p.pan, p.supply_group, p.tariff_index, p.key_revision
        FROM meters m
        JOIN meter_installations i ON i.meter_id = m.id AND i.removed_on IS NULL
        JOIN accounts a ON a.id = i.account_id
        LEFT JOIN LATERAL (
            SELECT value, read_at FROM readings_raw r WHERE r.meter_id = m.id ORDER BY read_at DESC LIMIT 1
        ) last ON true
        LEFT JOIN prepaid_meters p ON p.meter_id = m.id
        WHERE m.kind = \(kind) AND a.status = 'active' AND (m.kind <> 'prepaid' OR a.billing_type = 'prepaid')
        ORDER BY m.serial
        """
    }
}
