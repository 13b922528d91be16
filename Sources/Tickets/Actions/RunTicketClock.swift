import Foundation
import Identity
import Platform

/// TK-3's time-driven steps, run hourly by the server (and by tests with a moved clock); each is
/// idempotent, so several servers or a missed hour do no harm:
/// - a ticket resolved longer ago than the reopen window closes, and the consumer is asked for a
///   1–5 rating; if its service standard was breached, the compensation for each day late is
///   credited to the account (a ledger adjustment, at most one per ticket, audited), so the next
///   bill shows it;
/// - a complaint unresolved after the escalation period tells the consumer, in the ticket and by
///   message, where to escalate it.
public struct RunTicketClock: Sendable {
    let database: Database
    let settings: TicketSettings
    let clock: any WallClock
    let batchSize: Int

    public init(database: Database, settings: TicketSettings, clock: (any WallClock)? = nil, batchSize: Int = 500) {
        self.database = database
        self.settings = settings
        self.clock = clock ?? database.clock
        self.batchSize = batchSize
    }

    public struct Outcome: Sendable, Equatable {
        public var closed = 0
        public var compensated = 0
        public var escalated = 0

        public init(closed: Int = 0, compensated: Int = 0, escalated: Int = 0) {
            (self.closed, self.compensated, self.escalated) = (closed, compensated, escalated)
        }
    }

    public func run() async throws -> Outcome {
        var outcome = Outcome()
        while let (closed, compensated) = try await closeBatch() {
            outcome.closed += closed
            outcome.compensated += compensated
        }
        while let escalated = try await escalateBatch() { outcome.escalated += escalated }
        return outcome
    }

    private func closeBatch() async throws -> (Int, Int)? {
        let now = clock.now
        let cutoff = now.addingTimeInterval(-TimeInterval(settings.reopenDays) * 86_400)
        let (limit, currency) = (batchSize, settings.currency)
        return try await database.transaction { connection in
            let closing = try connection.query(
                """
                UPDATE tickets t SET status = 'closed', closed_at = \(now), updated_at = \(now)
                WHERE t.id IN (
                    SELECT id FROM tickets WHERE status = 'resolved' AND resolved_at < \(cutoff) ORDER BY resolved_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                RETURNING t.id, t.number, t.account_id, t.consumer_id, t.target_seconds, t.used_seconds, t.compensation_per_day
                """
            ).rows
            guard !closing.isEmpty else { return nil }
            var ids: [Int64] = []
            var messages: [(to: TicketLog.Recipient, text: String)] = []
            var owed: [(ticket: Int64, number: String, account: Int64, amount: Money, days: Int64)] = []
            for row in closing {
                let (id, number): (Int64, String) = (try row.decode("id"), try row.decode("number"))
                ids.append(id)
                let clock = ServiceClock(
                    targetSeconds: try row.decode("target_seconds"), usedSeconds: try row.decode("used_seconds"), runningSince: nil)
                let days = clock.daysLate(at: now)
                let amount = Money(minorUnits: days * (try row.decode("compensation_per_day", as: Int64.self)))
                var text = "Meterline: ticket \(number) is closed."
                if amount.minorUnits > 0 {
                    owed.append((id, number, try row.decode("account_id"), amount, days))
                    text +=
                        " It took \(days) day\(days == 1 ? "" : "s") longer than our service standard, so we have credited \(currency.format(amount)) to your account."
                }
                text += " How did we do? Sign in and rate it from 1 to 5."
                messages.append((TicketLog.Recipient(consumer: try row.decode("consumer_id"), account: try row.decode("account_id")), text))
            }
            try connection.execute(
                """
                INSERT INTO ticket_events (ticket_id, at, user_id, by_staff, kind, status, body)
                SELECT id, \(now), NULL, false, 'status', 'closed', \(
                    "Closed \(settings.reopenDays) days after it was resolved. How did we do? Rate it from 1 to 5.")
                FROM unnest(\(ids)::bigint[]) AS id
                """)
            if !owed.isEmpty { try compensate(owed, at: now, on: connection) }
            try TicketLog.tell(messages, on: connection)
            return (closing.count, owed.count)
        }
    }

    /// One ledger adjustment per breached ticket (a unique index holds it to one), the balances in
    /// account order (as the bill run and payments take them), the events and the audit records.
    private func compensate(
        _ owed: [(ticket: Int64, number: String, account: Int64, amount: Money, days: Int64)], at now: Date, on connection: PostgresConnection
    ) throws {
        let tickets = owed.map(\.ticket)
        let accounts = owed.map(\.account)
        let amounts = owed.map { -$0.amount.minorUnits }
        let notes = TextList(
            owed.map { "Compensation: ticket \($0.number) resolved \($0.days) day\($0.days == 1 ? "" : "s") after the service standard" })
        let events = TextList(
            owed.map {
                "\(settings.currency.format($0.amount)) credited to the account: \($0.days) day\($0.days == 1 ? "" : "s") past the service standard."
            })
        let details = TextList(owed.map { "{\"ticket\": \"\($0.number)\", \"amount\": \"\($0.amount.minorUnits)\", \"days_late\": \"\($0.days)\"}" })
        try connection.execute(
            """
            SELECT account_id FROM account_balances WHERE account_id = ANY (\(accounts)::bigint[]) ORDER BY account_id FOR UPDATE
            """)
        try connection.execute(
            """
            INSERT INTO ledger_entries (account_id, kind, amount, ticket_id, booked_at, note)
            SELECT account, 'adjustment', amount, ticket, \(now), note
            FROM unnest(\(accounts)::bigint[], \(amounts)::bigint[], \(tickets)::bigint[], \(notes)::text[]) AS x(account, amount, ticket, note)
            """)
        try connection.execute(
            """
            INSERT INTO account_balances (account_id, balance, updated_at)
            SELECT account, sum(amount), \(now) FROM unnest(\(accounts)::bigint[], \(amounts)::bigint[]) AS x(account, amount)
            GROUP BY account ORDER BY account
            ON CONFLICT (account_id) DO UPDATE SET balance = account_balances.balance + EXCLUDED.balance, updated_at = EXCLUDED.updated_at
            """)
        try connection.execute(
            """
            INSERT INTO ticket_events (ticket_id, at, user_id, by_staff, kind, body)
            SELECT ticket, \(now), NULL, false, 'compensated', body FROM unnest(\(tickets)::bigint[], \(events)::text[]) AS x(ticket, body)
            """)
        try connection.execute(
            """
            INSERT INTO audit_log (user_id, action, client_address, details)
            SELECT NULL, \(AuditLog.Action.ticketCompensated.rawValue), NULL, detail::jsonb FROM unnest(\(details)::text[]) AS detail
            """)
    }

    private func escalateBatch() async throws -> Int? {
        let now = clock.now
        let cutoff = now.addingTimeInterval(-TimeInterval(settings.escalationDays) * 86_400)
        let (limit, days, forum) = (batchSize, settings.escalationDays, settings.escalationForum)
        return try await database.transaction { connection in
            let escalating = try connection.query(
                """
                UPDATE tickets SET escalated_at = \(now) WHERE id IN (
                    SELECT id FROM tickets WHERE escalated_at IS NULL AND status IN ('open', 'in_progress', 'waiting') AND opened_at < \(cutoff)
                    ORDER BY opened_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                RETURNING id, number, account_id, consumer_id
                """
            ).rows
            guard !escalating.isEmpty else { return nil }
            let ids = try escalating.map { try $0.decode("id", as: Int64.self) }
            let advice =
                "Not resolved after \(days) days. If you are not satisfied with how we are handling it, you can take your complaint to \(forum)."
            try connection.execute(
                """
                INSERT INTO ticket_events (ticket_id, at, user_id, by_staff, kind, body)
                SELECT id, \(now), NULL, false, 'escalated', \(advice) FROM unnest(\(ids)::bigint[]) AS id
                """)
            let messages = try escalating.map { row in
                (
                    to: TicketLog.Recipient(consumer: try row.decode("consumer_id"), account: try row.decode("account_id")),
                    text:
                        "Meterline: your ticket \(try row.decode("number", as: String.self)) is still not resolved after \(days) days. We are sorry. You can take your complaint to \(forum)."
                )
            }
            try TicketLog.tell(messages, on: connection)
            return escalating.count
        }
    }
}
