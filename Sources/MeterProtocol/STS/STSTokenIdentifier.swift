import Foundation

/// The dates a token identifier counts minutes from. A meter moves to the next one through a key change
/// token pair with the rollover bit set, which also empties its memory of used identifiers.
public enum STSBaseDate: Int, Sendable, CaseIterable, Comparable {
    case y1993 = 1993
    case y2014 = 2014
    case y2035 = 2035

    /// 1 January, 00:00 UTC.
    public var start: Date {
        switch self {
        case .y1993: Date(timeIntervalSince1970: 725_846_400)
        case .y2014: Date(timeIntervalSince1970: 1_388_534_400)
        case .y2035: Date(timeIntervalSince1970: 2_051_222_400)
        }
    }

    /// The last minute a 24-bit identifier can number: 24 November, 20:15 UTC, 31 years later.
    public var lastMinute: Date { start.addingTimeInterval(Double(STSTokenIdentifier.maximum) * 60) }

    /// The oldest base date that can still number a token issued at `date` (1993 until 2024-11-24 20:15 UTC,
    /// then 2014): a meter still on an older one needs its rollover key change first.
    public static func oldest(numbering date: Date) -> STSBaseDate? {
        allCases.first { $0.start <= date && date < $0.lastMinute.addingTimeInterval(60) }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The 24-bit token identifier (TID): whole minutes from the meter's base date to the token's issue. A meter
/// refuses a TID it has already seen, so it is also what makes each token single-use.
public struct STSTokenIdentifier: Sendable, Hashable, Comparable {
    public static let maximum: UInt32 = 0xFF_FFFF
    public let minutes: UInt32

    public init(minutes: UInt32) throws(STSError) {
        guard minutes <= Self.maximum else { throw .identifierOutOfRange }
        self.minutes = minutes
    }

    /// Seconds are dropped: tokens issued in the same minute share an identifier.
    public init(issuedAt date: Date, baseDate: STSBaseDate) throws(STSError) {
        let seconds = date.timeIntervalSince(baseDate.start)
        guard seconds >= 0, seconds < Double(Self.maximum + 1) * 60 else { throw .dateOutOfRange(baseDate) }
        minutes = UInt32(seconds / 60)
    }

    /// The identifier for a meter's next token. A meter refuses an identifier it has seen, so a token issued in
    /// the same minute as the meter's previous one (or before it) takes the minute after the previous one.
    public static func next(issuedAt date: Date, baseDate: STSBaseDate, after previous: Self?) throws(STSError) -> Self {
        let now = try Self(issuedAt: date, baseDate: baseDate)
        guard let previous, previous >= now else { return now }
        return try Self(minutes: previous.minutes + 1)
    }

    public func issuedAt(baseDate: STSBaseDate) -> Date { baseDate.start.addingTimeInterval(Double(minutes) * 60) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.minutes < rhs.minutes }
}
