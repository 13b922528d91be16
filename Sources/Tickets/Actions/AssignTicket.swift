import Foundation
import Identity
import Platform

/// TK-2: support staff give a ticket to one of them (or to nobody, back to the pool).
public struct AssignTicket: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The staff who work tickets: those holding a role that grants `handleTickets`.
    public static var supportRoles: TextList {
        TextList(Role.allCases.filter { $0.permissions.contains(.handleTickets) }.map(\.rawValue))
    }

    public func run(_ number: String, to assigneeID: Int64?, by staffID: Int64) async throws {
        let now = database.clock.now
        try await database.transaction { connection in
            let ticket = try LockedTicket.lock(number, on: connection)
            if ticket.status == .closed { throw TicketRefusal.closed }
            var body = "Given back to the support team."
            if let assigneeID {
                guard
                    let name = try connection.query(
                        "SELECT full_name FROM users WHERE id = \(assigneeID) AND kind = 'staff' AND status = 'active' AND roles && \(Self.supportRoles)::text[]"
                    ).rows.first?.decode("full_name", as: String.self)
                else { throw TicketRefusal.notSupportStaff }
                body = "Assigned to \(name)."
            }
            try connection.execute("UPDATE tickets SET assignee_id = $1, updated_at = \(now) WHERE id = \(ticket.id)", [assigneeID])
            try TicketLog.write(.assigned, ticket: ticket.id, by: staffID, staff: true, body: body, at: now, on: connection)
        }
    }
}
