import Foundation
import Platform

/// TK-2: the consumer adds to their ticket. An answer to a ticket waiting on them starts the
/// service clock again (in progress).
public struct CommentOnTicket: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var comment: String
        public var description: String { comment }
    }

    public func run(_ number: String, comment: String, consumer userID: Int64) async throws {
        let comment = WrittenText.cleaned(comment)
        if let problem = WrittenText.problem(comment, 2...4000)?.message(tooShort: "Write what you want to tell us.") {
            throw Invalid(comment: problem)
        }
        let now = database.clock.now
        try await database.transaction { connection in
            let ticket = try LockedTicket.lock(number, consumer: userID, on: connection)
            switch ticket.status {
            case .closed: throw TicketRefusal.closed
            case .resolved: throw TicketRefusal.resolved
            case .open, .inProgress, .waiting: break
            }
            try TicketLog.write(.comment, ticket: ticket.id, by: userID, staff: false, body: comment, at: now, on: connection)
            if ticket.status == .waiting { try ticket.move(to: .inProgress, by: userID, staff: false, at: now, on: connection) }
        }
    }
}
