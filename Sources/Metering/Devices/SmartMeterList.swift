import Foundation
import Platform

/// The installed smart and prepaid meters, for the meter simulator (BR-4): serial, the account's
/// category, the register as the portal last heard it, and when (seconds since 1970), the
/// premise's usual daily use over the last year in watt-hours of the register (empty without
/// history), so that simulated use looks like the premise's own and raises no false alerts; for a
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
            text += "\t" + (try row.decode("daily_wh", as: Int64?.self).map(String.init) ?? "")
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
               round(usual.daily_wh)::bigint AS daily_wh, p.pan, p.supply_group, p.tariff_index, p.key_revision
        FROM meters m
        JOIN meter_installations i ON i.meter_id = m.id AND i.removed_on IS NULL
        JOIN accounts a ON a.id = i.account_id
        LEFT JOIN LATERAL (
            SELECT value, read_at FROM readings_raw r WHERE r.meter_id = m.id ORDER BY read_at DESC LIMIT 1
        ) last ON true
        LEFT JOIN LATERAL (
            -- The year's use after its first reading, over the days since it, in register steps.
            SELECT sum(w.consumption) FILTER (WHERE w.n > 1)::float8 / nullif(max(w.read_on) - min(w.read_on), 0) / m.multiplier * 1000 AS daily_wh
            FROM (
                SELECT read_on, consumption, row_number() OVER (ORDER BY read_on, id) AS n FROM current_readings
                WHERE installation_id = i.id AND read_on > coalesce(last.read_at::date, i.installed_on) - 365
            ) w
        ) usual ON true
        LEFT JOIN prepaid_meters p ON p.meter_id = m.id
        WHERE m.kind = \(kind) AND a.status = 'active' AND (m.kind <> 'prepaid' OR a.billing_type = 'prepaid')
        ORDER BY m.serial
        """
    }
}
