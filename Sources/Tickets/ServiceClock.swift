import Foundation

/// TK-3: a ticket's service-standard clock. It counts the time the ticket has been open or in
/// progress (not the time waiting on the customer, nor after resolution) against the target of its
/// category and area.
public struct ServiceClock: Sendable, Equatable {
    public let targetSeconds: Int64
    /// Time counted before `runningSince`.
    public let usedSeconds: Int64
    /// When the clock last started; nil while it stands.
    public let runningSince: Date?

    public init(targetSeconds: Int64, usedSeconds: Int64, runningSince: Date?) {
        self.targetSeconds = targetSeconds
        self.usedSeconds = usedSeconds
        self.runningSince = runningSince
    }

    public var isRunning: Bool { runningSince != nil }

    public func used(at now: Date) -> Int64 {
        usedSeconds + (runningSince.map { max(0, Int64(now.timeIntervalSince($0).rounded(.down))) } ?? 0)
    }

    /// Seconds left before the target; negative once breached.
    public func left(at now: Date) -> Int64 { targetSeconds - used(at: now) }

    public func breached(at now: Date) -> Bool { left(at: now) < 0 }

    /// Whole days (started) past the target: what compensation is paid for.
    public func daysLate(at now: Date) -> Int64 {
        let over = -left(at: now)
        return over <= 0 ? 0 : (over + 86_399) / 86_400
    }

    /// The clock stopped at `now`.
    public func stopped(at now: Date) -> ServiceClock {
        ServiceClock(targetSeconds: targetSeconds, usedSeconds: used(at: now), runningSince: nil)
    }

    /// The clock started again at `now` (it keeps the time already used).
    public func started(at now: Date) -> ServiceClock {
        isRunning ? self : ServiceClock(targetSeconds: targetSeconds, usedSeconds: usedSeconds, runningSince: now)
    }

    /// When the target is reached if the clock keeps running; nil while it stands.
    public var dueAt: Date? { runningSince.map { $0.addingTimeInterval(TimeInterval(targetSeconds - usedSeconds)) } }

    /// "2 d 4 h left", "5 h over", "paused" (the queue and the ticket page).
    public func text(at now: Date) -> String {
        let left = left(at: now)
        let phrase = Self.duration(abs(left))
        if !isRunning { return left >= 0 ? "\(phrase) left, paused" : "\(phrase) over, paused" }
        return left >= 0 ? "\(phrase) left" : "\(phrase) over"
    }

    /// "3 d 4 h", "5 h", "12 min".
    public static func duration(_ seconds: Int64) -> String {
        let days = seconds / 86_400
        let hours = (seconds % 86_400) / 3_600
        if days > 0 { return hours > 0 ? "\(days) d \(hours) h" : "\(days) d" }
        if hours > 0 { return "\(hours) h" }
        return "\(max(1, seconds / 60)) min"
    }
}
