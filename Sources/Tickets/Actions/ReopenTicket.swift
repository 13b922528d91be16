import Foundation
import Platform

/// TK-3: the consumer reopens a resolved ticket within the reopen window, saying what is still
/// wrong; it goes back to support's queue and its service clock runs on from where it stopped.
public struct ReopenTicket: Sendable {
    let database: Database
    let settings: TicketSettings

    public init(database: Database, settings: TicketSettings) {
        self.database = database
        self.settings = settings
    }

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public func run(_ number: String, reason: String, consumer userID: Int64) async throws {
        let reason = WrittenText.cleaned(reason)
        if let problem = WrittenText.problem(reason, 5...4000)?.message(tooShort: "Tell us what is still wrong.") { throw Invalid(reason: problem) }
        let now = database.clock.now
        let days = settings.reopenDays
        try await database.transaction { connection in
            let ticket = try LockedTicket.lock(number, consumer: userID, on: connection)
            guard ticket.status == .resolved, let resolvedAt = ticket.resolvedAt else {
                throw ticket.status == .closed && ticket.mergedInto == nil ? TicketRefusal.reopenWindowPassed(days: days) : TicketRefusal.notResolved
            }
            guard now < settings.reopenDeadline(after: resolvedAt) else { throw TicketRefusal.reopenWindowPassed(days: days) }
            try ticket.move(to: .open, by: userID, staff: false, note: reason, at: now, on: connection)
        }
    }
}
