import Foundation
import Platform

/// A calendar month of the utility's local days, the unit bills are made for: `2026-10` is
/// 1 to 31 October. Dates are days (SQL `date`), never instants, so no UTC midnight can move a
/// reading into the wrong month.
public struct BillingPeriod: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (2000...2999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// "2026-10".
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let month = Int(parts[1]) else { return nil }
        self.init(year: year, month: month)
    }

    public var days: Int { CalendarDay.days(inMonth: month, of: year) }
    public var first: CalendarDay { CalendarDay("\(self)-01")! }
    public var last: CalendarDay { CalendarDay("\(self)-\(String(format: "%02d", days))")! }
    public var description: String { String(format: "%04d-%02d", year, month) }

    /// "October 2026".
    public var name: String { "\(Self.monthNames[month - 1]) \(year)" }
    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]

    public var previous: BillingPeriod { month == 1 ? BillingPeriod(year: year - 1, month: 12)! : BillingPeriod(year: year, month: month - 1)! }

    public var next: BillingPeriod { month == 12 ? BillingPeriod(year: year + 1, month: 1)! : BillingPeriod(year: year, month: month + 1)! }

    /// The month the clock's day falls in.
    public static func current(_ clock: any WallClock) -> BillingPeriod {
        BillingPeriod(containing: CalendarDay.current(clock))
    }

    /// The month a day falls in.
    public init(containing day: CalendarDay) {
        self.init(year: day.year, month: day.month)!
    }

    public static func < (lhs: BillingPeriod, rhs: BillingPeriod) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }
}
