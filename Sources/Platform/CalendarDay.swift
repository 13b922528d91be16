import Foundation

/// A day as people type it into a date field: `YYYY-MM-DD`, checked against the calendar (no
/// 30 February). Comparisons happen in SQL as `date`; "today" is the clock's day in its time zone.
/// Parsed by hand: a CSV import reads hundreds of thousands of these.
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(_ text: String?) {
        guard let text else { return nil }
        let bytes = Array(text.utf8.drop { $0 == 32 }.reversed().drop { $0 == 32 }.reversed())
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            (1900...2999).contains(year), (1...12).contains(month), day >= 1, day <= Self.days(inMonth: month, of: year)
        else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
    }

    /// The clock's day in the utility's time zone, as a date field shows it. (ISO8601DateFormatter,
    /// used before, was a tenth of the premise page's time.)
    public static func today(_ clock: any WallClock) -> String {
        let now = clock.now
        let offset = clock.timeZone.secondsFromGMT(for: now)
        return String(PostgresTimestamp.format(now.addingTimeInterval(TimeInterval(offset))).prefix(10))
    }

    /// The clock's day in the utility's time zone.
    public static func current(_ clock: any WallClock) -> CalendarDay {
        CalendarDay(today(clock))!
    }

    /// Days since 1970-01-01, so that two days can be subtracted (days_from_civil, H. Hinnant).
    public var ordinal: Int {
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool { (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day) }

    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}
