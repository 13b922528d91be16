import Foundation
import Platform

/// TK-3: once a ticket is closed, its consumer rates how it was handled, 1 to 5, once.
public struct RateTicket: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String { "Choose from 1 (very poor) to 5 (very good)." }
    }

    public func run(_ number: String, rating: String, consumer userID: Int64) async throws {
        guard rating.count == 1, let stars = Int(rating), (1...5).contains(stars) else { throw Invalid() }
        let now = database.clock.now
        try await database.transaction { connection in
            let ticket = try LockedTicket.lock(number, consumer: userID, on: connection)
            guard ticket.status == .closed else { throw TicketRefusal.notClosed }
            guard ticket.mergedInto == nil else { throw TicketRefusal.mergedTicket }
            guard ticket.rating == nil else { throw TicketRefusal.alreadyRated }
            try connection.execute("UPDATE tickets SET rating = \(stars), updated_at = \(now) WHERE id = \(ticket.id)")
            try TicketLog.write(.rated, ticket: ticket.id, by: userID, staff: false, body: "Rated \(stars) of 5.", at: now, on: connection)
        }
    }
}
