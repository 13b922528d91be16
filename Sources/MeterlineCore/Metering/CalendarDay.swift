import Foundation

/// A day as people type it into a date field: `YYYY-MM-DD`, checked against the calendar (no
/// 30 February). Comparisons happen in SQL as `date`, so no time zone arithmetic is needed here.
struct CalendarDay: Sendable, Equatable, CustomStringConvertible {
    let year: Int
    let month: Int
    let day: Int

    init?(_ text: String?) {
        guard let text = text?.trimmingCharacters(in: .whitespaces),
            let match = text.wholeMatch(of: /([0-9]{4})-([0-9]{2})-([0-9]{2})/),
            let year = Int(match.1), let month = Int(match.2), let day = Int(match.3),
            (1900...2999).contains(year)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard DateComponents(calendar: calendar, year: year, month: month, day: day).isValidDate else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
    }

    var description: String { String(format: "%04d-%02d-%02d", year, month, day) }
}
