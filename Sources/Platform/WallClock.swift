import Foundation
import Synchronization

/// Where every rule that depends on the time of day reads it: code expiry, lockout, idle
/// suspension, session lifetime, and later due dates and service standards. Statements read it
/// through `Database.now` / `PostgresConnection.now` instead of PostgreSQL's `now()`, so a test
/// moves time instead of sleeping or editing rows.
public protocol WallClock: Sendable {
    var now: Date { get }
    /// The utility's time zone: its calendar days are the days bills, due dates and readings are
    /// dated by, never UTC midnights (BL-2). Database sessions use it too.
    var timeZone: TimeZone { get }
}

extension TimeZone {
    public static let utc = TimeZone(identifier: "UTC")!
}

/// The machine's time.
public struct SystemClock: WallClock {
    public let timeZone: TimeZone

    public init(timeZone: TimeZone = .utc) {
        self.timeZone = timeZone
    }

    public var now: Date { Date() }
}

/// A clock that stands still until moved: for tests, and for replaying a day.
public final class MovableClock: WallClock {
    private let current: Mutex<Date>
    public let timeZone: TimeZone

    public init(_ start: Date = Date(), timeZone: TimeZone = .utc) {
        current = Mutex(start)
        self.timeZone = timeZone
    }

    public var now: Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }

    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
