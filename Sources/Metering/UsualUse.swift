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
        let flag: String? = try connection.query(
            "SELECT \(flag(account: "\(accountID)", day: "\(day.description)", consumption: "\(consumption)", days: "\(days)", factor: factor, live: "\(live)")) AS flag"
        ).rows[0].decode("flag")
        return flag.flatMap(Flag.init(rawValue:))
    }

    /// The rule as an SQL expression over the given expressions, so that a typed reading and a
    /// batch of meter readings are judged alike: 'high_use', 'zero_use' or NULL. The usual is the
    /// account's use over the readings of the year to `day`, and needs a week of history.
    public static func flag(account: SQL, day: SQL, consumption: SQL, days: SQL, factor: Int, live: SQL) -> SQL {
        """
        (SELECT CASE
                    WHEN u.used <= 0 OR u.span < 7 THEN NULL
                    WHEN (\(consumption))::bigint = 0 THEN CASE WHEN (\(live))::boolean AND (\(days))::integer >= 28 THEN 'zero_use' END
                    WHEN (\(consumption))::float8 / greatest((\(days))::integer, 1) > \(factor)::float8 * (u.used::float8 / u.span) THEN 'high_use'
                END
         FROM (
             SELECT coalesce(sum(w.consumption) FILTER (WHERE w.n > 1), 0) AS used, coalesce(max(w.read_on) - min(w.read_on), 0) AS span
             FROM (
                 SELECT read_on, consumption, row_number() OVER (ORDER BY read_on, id) AS n FROM current_readings
                 WHERE account_id = (\(account))::bigint AND read_on BETWEEN (\(day))::date - 365 AND (\(day))::date
             ) w
         ) u)
        """
    }
}
