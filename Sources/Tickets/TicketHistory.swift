import Foundation
import Platform

/// TK-2: everything that happened to a ticket, oldest first, as both sides read it.
public struct TicketHistory: Sendable {
    public struct Entry: Sendable, Equatable {
        public let at: String
        /// "You", "Support (Sam Support)", "Meterline" — the reader decides how to name people.
        public let author: String?
        public let byStaff: Bool
        public let kind: String
        public let status: TicketStatus?
        public let body: String?
    }

    public static func of(ticketID: Int64, in database: Database) async throws -> [Entry] {
        try await database.query(
            """
            SELECT to_char(e.at, 'FMDD FMMonth YYYY, HH24:MI') AS at, u.full_name, e.by_staff, e.kind, e.status, e.body
            FROM ticket_events e LEFT JOIN users u ON u.id = e.user_id WHERE e.ticket_id = \(ticketID) ORDER BY e.id
            """
        ).rows.map {
            Entry(
                at: try $0.decode("at"), author: try $0.decode("full_name"), byStaff: try $0.decode("by_staff"), kind: try $0.decode("kind"),
                status: try $0.decode("status"), body: try $0.decode("body"))
        }
    }
}
