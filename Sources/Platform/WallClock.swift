import Foundation
import Synchronization

/// Where every rule that depends on the time of day reads it: code expiry, lockout, idle
/// suspension, session lifetime, and later due dates and service standards. Statements read it
/// through `Database.now` / `PostgresConnection.now` instead of PostgreSQL's `now()`, so a test
/// moves time instead of sleeping or editing rows.
public protocol WallClock: Sendable {
    var now: Date { get }
}

/// The machine's time.
public struct SystemClock: WallClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that stands still until moved: for tests, and for replaying a day.
public final class MovableClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date()) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }

    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
