import Accounts
import Identity
import Notifications
import Platform

/// MT-3, MT-6: how a reading's daily use compares with the premise's usual over the past year.
/// Far above it (more than `factor` times) is a spike; nothing at all for four weeks on a live
/// premise is a meter that stopped or a premise that is not what its account says.
public enum UsualUse {
    public enum Flag: String, Sendable {
        case highUse = "high_use"
        case zeroUse = "zero_use"
    }

    public static func flag(
        on connection: PostgresConnection, accountID: Int64, day: CalendarDay, consumption: Int64, days: Int, factor: Int, live: Bool
    ) throws -> Flag? {
        let usual = try connection.query(
            """
            WITH w AS (
                SELECT read_on, consumption, row_number() OVER (ORDER BY read_on, id) AS n FROM current_readings
                WHERE account_id = $1 AND read_on BETWEEN $2::date - 365 AND $2::date
            )
            SELECT coalesce(sum(consumption) FILTER (WHERE n > 1), 0) AS used, coalesce(max(read_on) - min(read_on), 0) AS days FROM w
            """, [accountID, day.description]
        ).rows[0]
        let usedBefore: Int64 = try usual.decode("used")
        let daysBefore: Int = try usual.decode("days")
        guard usedBefore > 0, daysBefore >= 7 else { return nil }
        let usualDaily = Double(usedBefore) / Double(daysBefore)
        if consumption == 0 { return live && days >= 28 ? .zeroUse : nil }
        let daily = Double(consumption) / Double(max(days, 1))
        return daily > Double(factor) * usualDaily ? .highUse : nil
    }
}
