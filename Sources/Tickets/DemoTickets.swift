import Billing
import Foundation
import Platform

/// The demo town's complaints, so support's queue looks like a real one: one account in 40 (or
/// `oneIn`) has a
/// ticket from the past three weeks, of every category, open, in progress, waiting on the
/// customer or resolved, some past their service standard; four villages count as rural. Safe to
/// run again: it adds nothing once the demo has tickets.
public struct DemoTickets: Sendable {
    let database: Database
    let settings: TicketSettings

    public static let ruralAreas = ["Coldharbour", "Dunmore", "Elderford", "Ravensholt"]

    public init(database: Database, settings: TicketSettings) {
        self.database = database
        self.settings = settings
    }

    /// Adds the tickets, handled by `supportID`, for one account in `oneIn`; returns how many.
    @discardableResult
    public func seed(supportID: Int64, oneIn: Int = 40) async throws -> Int {
        let every = Int64(max(1, oneIn))
        let now = database.clock.now
        let year = CalendarDay.current(database.clock).year
        let prefix = settings.prefix
        let categories = TextList(TicketCategory.allCases.map(\.rawValue))
        return try await database.transaction { connection in
            try connection.execute("INSERT INTO rural_areas (area) SELECT unnest(\(TextList(Self.ruralAreas))::text[]) ON CONFLICT DO NOTHING")
            guard try connection.query("SELECT 1 FROM tickets WHERE opened_by = \(supportID) LIMIT 1").rows.isEmpty else { return 0 }
            try connection.execute(
                """
                CREATE TEMP TABLE demo_tickets ON COMMIT DROP AS
                WITH picked AS (
                    SELECT a.id AS account_id, a.area, (\(categories)::text[])[1 + (a.id / \(every)) % 6] AS category,
                           (a.id / \(every)) % 4 AS state,
                           \(now)::timestamptz - make_interval(days => ((a.id / \(every)) % 21)::int, hours => (a.id % 24)::int) AS opened_at,
                           EXISTS (SELECT 1 FROM rural_areas r WHERE r.area = a.area) AS rural
                    FROM accounts a WHERE a.id % \(every) = 7 % \(every) AND a.status <> 'closed'
                )
                SELECT p.*, s.compensation_per_day, (CASE WHEN p.rural THEN s.rural_days ELSE s.urban_days END) * 86400::bigint AS target,
                       extract(epoch FROM \(now)::timestamptz - p.opened_at)::bigint AS elapsed,
                       row_number() OVER (ORDER BY p.opened_at, p.account_id) AS n
                FROM picked p JOIN ticket_standards s ON s.category = p.category
                """)
            try connection.execute(
                "INSERT INTO bill_number_series (prefix, year, last) VALUES (\(prefix), \(year), 0) ON CONFLICT DO NOTHING")
            let made = try connection.execute(
                """
                INSERT INTO tickets (number, account_id, opened_by, category, subject, status, area, rural, assignee_id, opened_at,
                                     target_seconds, compensation_per_day, used_seconds, running_since, due_at, resolved_at, updated_at)
                SELECT \(prefix) || '-' || \(year) || '-' || lpad((s.last + d.n)::text, greatest(6, length((s.last + d.n)::text)), '0'),
                       d.account_id, \(supportID), d.category,
                       CASE d.category WHEN 'billing' THEN 'My bill is higher than usual' WHEN 'outage' THEN 'No power in the street'
                            WHEN 'meter_fault' THEN 'Meter display is blank' WHEN 'new_connection' THEN 'Supply for the new workshop'
                            WHEN 'voltage' THEN 'Lights dim every evening' ELSE 'Streetlight pole leaning' END,
                       (ARRAY['open', 'in_progress', 'waiting', 'resolved'])[d.state + 1], d.area, d.rural,
                       CASE WHEN d.state > 0 THEN \(supportID)::bigint END, d.opened_at, d.target, d.compensation_per_day,
                       CASE WHEN d.state < 2 THEN 0 ELSE least(d.elapsed, 86400) END,
                       CASE WHEN d.state < 2 THEN d.opened_at END,
                       CASE WHEN d.state < 2 THEN d.opened_at + make_interval(secs => d.target) END,
                       CASE WHEN d.state = 3 THEN d.opened_at + make_interval(secs => least(d.elapsed, 86400)) END,
                       \(now)
                FROM demo_tickets d JOIN bill_number_series s ON s.prefix = \(prefix) AND s.year = \(year)
                """)
            guard made > 0 else { return 0 }
            try connection.execute("UPDATE bill_number_series SET last = last + \(made) WHERE prefix = \(prefix) AND year = \(year)")
            // Each ticket's story: raised, and where support took it.
            try connection.execute(
                """
                INSERT INTO ticket_events (ticket_id, at, user_id, by_staff, kind, status, body)
                SELECT t.id, t.opened_at, \(supportID)::bigint, true, 'opened', NULL,
                       'Reported by phone: ' || lower(t.subject) || '.'
                FROM tickets t WHERE t.opened_by = \(supportID)
                UNION ALL
                SELECT t.id, t.opened_at + interval '2 hours', \(supportID), true, 'comment', NULL,
                       CASE t.status WHEN 'waiting' THEN 'Could you send us a photo of the meter showing the reading?'
                                     WHEN 'resolved' THEN 'Fixed by our crew today. Reopen this ticket if anything is still wrong.'
                                     ELSE 'We are looking into it.' END
                FROM tickets t WHERE t.opened_by = \(supportID) AND t.status <> 'open'
                UNION ALL
                SELECT t.id, t.opened_at + interval '2 hours', \(supportID), true, 'status', t.status, NULL
                FROM tickets t WHERE t.opened_by = \(supportID) AND t.status <> 'open'
                ORDER BY 2, 1, 5
                """)
            return made
        }
    }
}
