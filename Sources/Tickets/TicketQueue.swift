import Foundation
import Identity
import Platform

/// TK-3: support's queue of tickets not closed, soonest due first (breached ones at the top,
/// paused ones after the running ones), with filters.
public struct TicketQueue: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Filter: Sendable, Equatable {
        /// A status, or "" for every one not closed, or "working" for open and in progress.
        public var status: String
        public var category: String
        public var area: String
        /// "", "me", "nobody", or a staff member's id.
        public var assignee: String
        /// Opened at least this many days ago; 0 for any age.
        public var olderThanDays: Int
        public var breachedOnly: Bool

        public init(
            status: String = "", category: String = "", area: String = "", assignee: String = "", olderThanDays: Int = 0, breachedOnly: Bool = false
        ) {
            self.status = status
            self.category = category
            self.area = area
            self.assignee = assignee
            self.olderThanDays = olderThanDays
            self.breachedOnly = breachedOnly
        }
    }

    public struct Page: Sendable {
        public let tickets: [Ticket]
        /// How many match, counted up to `countLimit` (a count of every match would cost more
        /// than the page).
        public let total: Int
        public var totalIsAtLeast: Bool { total >= TicketQueue.countLimit }
    }

    static let countLimit = 1_000

    public func run(_ filter: Filter, viewer staffID: Int64, limit: Int = 100) async throws -> Page {
        let limit = min(limit, Self.countLimit)
        let now = database.clock.now
        let statuses: [String] =
            switch filter.status {
            case "working": [TicketStatus.open.rawValue, TicketStatus.inProgress.rawValue]
            case let status where TicketStatus(rawValue: status) != nil: [status]
            default: TicketStatus.allCases.filter { $0 != .closed }.map(\.rawValue)
            }
        let assignee: Int64? =
            switch filter.assignee {
            case "me": staffID
            case "nobody": 0
            default: Int64(filter.assignee)
            }
        let category = TicketCategory(rawValue: filter.category)?.rawValue
        let area = filter.area.isEmpty ? nil : filter.area
        let openedBefore = filter.olderThanDays > 0 ? now.addingTimeInterval(-TimeInterval(filter.olderThanDays) * 86_400) : nil
        let breachedBy = filter.breachedOnly ? now : nil
        let condition: SQL = """
            t.status = ANY (\(TextList(statuses))::text[]) AND ($1::text IS NULL OR t.category = $1)
            AND ($2::text IS NULL OR t.area = $2)
            AND ($3::bigint IS NULL OR t.assignee_id = $3 OR ($3 = 0 AND t.assignee_id IS NULL)) AND ($4::timestamptz IS NULL OR t.opened_at < $4)
            AND ($5::timestamptz IS NULL OR t.due_at < $5 OR (t.due_at IS NULL AND t.used_seconds > t.target_seconds))
            """
        let parameters: [any SQLEncodable] = [category, area, assignee, openedBefore, breachedBy]
        // Tickets not closed are read in the queue index's order; closed ones (no clock) newest first.
        let order: SQL =
            statuses.contains(TicketStatus.closed.rawValue) ? "ORDER BY t.id DESC" : "AND t.status <> 'closed' ORDER BY t.due_at NULLS LAST, t.id"
        let rows = try await database.query(
            "SELECT \(Ticket.columns) FROM \(Ticket.joins) WHERE \(condition) \(order) LIMIT \(limit)", parameters
        ).rows
        let total =
            rows.count < limit
            ? rows.count
            : try await database.query(
                "SELECT count(*) AS n FROM (SELECT 1 FROM tickets t WHERE \(condition) LIMIT \(Self.countLimit)) matches", parameters
            ).rows[0].decode("n", as: Int.self)
        return Page(tickets: try rows.map(Ticket.init(row:)), total: total)
    }

    /// The staff a ticket can be given to.
    public static func supportStaff(in database: Database) async throws -> [(id: Int64, name: String)] {
        try await database.query(
            "SELECT id, full_name FROM users WHERE kind = 'staff' AND status = 'active' AND roles && \(AssignTicket.supportRoles)::text[] ORDER BY full_name"
        ).rows.map { (try $0.decode("id"), try $0.decode("full_name")) }
    }
}
