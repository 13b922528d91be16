import Accounts
import Identity
import Notifications
import Platform

/// A meter's register: it counts up to 10^digits - 1 and then turns over to zero. Each step is
/// `multiplier` units of the commodity.
public struct MeterRegister: Sendable, Equatable {
    public let digits: Int
    public let multiplier: Int64

    public init(digits: Int, multiplier: Int64) {
        self.digits = digits
        self.multiplier = multiplier
    }

    /// 10^digits: the first value the register cannot show.
    public var size: Int64 {
        var size: Int64 = 1
        for _ in 0..<digits { size *= 10 }
        return size
    }

    public func canShow(_ value: Int64) -> Bool { value >= 0 && value < size }

    /// Units used between two readings, or nil when `to` is lower than `from` without looking like
    /// a turn-over (the last reading near the top of the register, the new one near the bottom).
    public func units(from: Int64, to: Int64) -> Int64? {
        if to >= from { return (to - from) * multiplier }
        guard from >= size * 9 / 10, to < size / 10 else { return nil }
        return (size - from + to) * multiplier
    }

    /// `units(from:to:)` as an SQL expression over columns, for work done on a whole batch at once:
    /// NULL where the register ran backwards. `digits` and `multiplier` name the meter's columns.
    public static func units(from: SQL, to: SQL, digits: SQL, multiplier: SQL) -> SQL {
        let size: SQL = "(10::bigint ^ (\(digits)))::bigint"
        return """
            (CASE WHEN (\(to)) >= (\(from)) THEN ((\(to)) - (\(from))) * (\(multiplier))
                  WHEN (\(from)) >= \(size) * 9 / 10 AND (\(to)) < \(size) / 10 THEN (\(size) - (\(from)) + (\(to))) * (\(multiplier))
             END)
            """
    }
}
