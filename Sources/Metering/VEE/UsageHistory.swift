import Accounts
import Identity
import Notifications
import Platform

/// An account's use over time as a cumulative curve through its readings, so the units used
/// between any two days inside the history can be read off by straight-line interpolation.
public struct UsageHistory: Sendable {
    /// (day number, units used up to that day), in day order.
    public let points: [(day: Int, total: Int64)]

    public init(points: [(day: Int, total: Int64)]) {
        self.points = points
    }

    /// Loads the current readings of one installation; day numbers count from 2000-01-01.
    public static func load(on connection: PostgresConnection, installationID: Int64) throws -> UsageHistory {
        var total: Int64 = 0
        let points = try connection.query(
            """
            SELECT read_on - date '2000-01-01' AS day, consumption FROM current_readings
            WHERE installation_id = $1 ORDER BY read_on, id
            """, [installationID]
        ).rows.map { row -> (day: Int, total: Int64) in
            total += try row.decode("consumption", as: Int64.self)
            return (try row.decode("day"), total)
        }
        return UsageHistory(points: points)
    }

    public var first: Int? { points.first?.day }
    public var last: Int? { points.last?.day }

    /// Units used up to `day`, or nil outside the history.
    public func total(at day: Int) -> Double? {
        guard let first, let last, day >= first, day <= last else { return nil }
        guard let after = points.firstIndex(where: { $0.day >= day }) else { return nil }
        let right = points[after]
        if right.day == day || after == 0 { return Double(right.total) }
        let left = points[after - 1]
        let fraction = Double(day - left.day) / Double(right.day - left.day)
        return Double(left.total) + fraction * Double(right.total - left.total)
    }

    /// Units used between two days, when the history covers both.
    public func used(from start: Int, to end: Int) -> Double? {
        guard let a = total(at: start), let b = total(at: end) else { return nil }
        return b - a
    }

    /// Average daily use over the last `days` of the history (or all of it when shorter).
    public func recentDaily(days: Int = 90) -> Double? {
        guard let first, let last, last > first else { return nil }
        let start = max(first, last - days)
        return used(from: start, to: last).map { $0 / Double(last - start) }
    }
}
