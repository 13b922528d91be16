import Foundation
import Platform

/// TK-2, TK-3: support staff answer a ticket and, in the same step, move it on: in progress,
/// waiting on the customer (the service clock stops), or resolved (the consumer is told and may
/// reopen it within the reopen window).
public struct AnswerTicket: Sendable {
    let database: Database
    let settings: TicketSettings

    public init(database: Database, settings: TicketSettings) {
        self.database = database
        self.settings = settings
    }

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var answer: String?
        public var status: String?
        public var description: String { [answer, status].compactMap { $0 }.joined(separator: " ") }
    }

    /// `status` empty keeps the ticket where it is.
    public func run(_ number: String, answer: String, status: String, by staffID: Int64) async throws {
        let answer = WrittenText.cleaned(answer)
        var invalid = Invalid()
        let next: TicketStatus?
        if status.isEmpty {
            next = nil
        } else if let parsed = TicketStatus(rawValue: status) {
            next = parsed
        } else {
            next = nil
            invalid.status = "Choose a status from the list."
        }
        if answer.isEmpty {
            if next == nil, invalid.status == nil { invalid.answer = "Write an answer, or choose a new status." }
        } else {
            invalid.answer = WrittenText.problem(answer, 1...4000)?.message(tooShort: "")
        }
        guard invalid.answer == nil, invalid.status == nil else { throw invalid }
        let now = database.clock.now
        let reopenDays = settings.reopenDays
        try await database.transaction { connection in
            let ticket = try LockedTicket.lock(number, on: connection)
            if ticket.status == .closed { throw TicketRefusal.closed }
            let moving = next.flatMap { $0 == ticket.status ? nil : $0 }
            if let moving, !ticket.status.staffSteps.contains(moving) { throw TicketRefusal.illegalStep(from: ticket.status, to: moving) }
            // A page another member already moved on: nothing to do, and nothing to tell.
            if moving == nil, answer.isEmpty { throw Invalid(status: "It is “\(ticket.status.title.lowercased())” already.") }
            if !answer.isEmpty {
                try TicketLog.write(.comment, ticket: ticket.id, by: staffID, staff: true, body: answer, at: now, on: connection)
            }
            if let moving { try ticket.move(to: moving, by: staffID, staff: true, at: now, on: connection) }
            var message = "Meterline: ticket \(ticket.number)"
            switch moving {
            case .resolved?: message += " is resolved. If it is not, reopen it within \(reopenDays) days when you sign in."
            case .waiting?: message += " is waiting on you: please answer when you sign in."
            default: message += answer.isEmpty ? " is \(moving?.title.lowercased() ?? "updated")." : " has an answer from support."
            }
            if !answer.isEmpty { message += " “\(answer.count > 300 ? answer.prefix(300) + "…" : answer)”" }
            try TicketLog.tell(ticket.recipient, message, on: connection)
        }
    }
}
