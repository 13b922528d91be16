import Foundation
import Notifications
import Platform

/// What every step on a ticket writes in its transaction: the event both sides read in the
/// ticket's history, and the message to the consumer (by the channels they chose for tickets).
enum TicketLog {
    enum Kind: String {
        case opened, comment, status, assigned, merged, escalated, compensated, rated
    }

    static func write(
        _ kind: Kind, ticket: Int64, by userID: Int64?, staff: Bool, status: TicketStatus? = nil, body: String? = nil, at now: Date,
        on connection: PostgresConnection
    ) throws {
        try connection.execute(
            """
            INSERT INTO ticket_events (ticket_id, at, user_id, by_staff, kind, status, body)
            VALUES (\(ticket), \(now), $1, \(staff), \(kind.rawValue), $2, $3)
            """, [userID, status, body])
    }

    /// Who a ticket's messages go to: the consumer who raised it, or the account's owner when
    /// staff raised it.
    struct Recipient: Hashable {
        let consumer: Int64?
        let account: Int64
    }

    static func tell(_ recipient: Recipient, _ text: String, on connection: PostgresConnection) throws {
        try tell([(recipient, text)], on: connection)
    }

    /// Tells each ticket's consumer their message: two queries for the addresses of all of them.
    static func tell(_ messages: [(to: Recipient, text: String)], on connection: PostgresConnection) throws {
        guard !messages.isEmpty else { return }
        let byUser = try OwnerNotices.addresses(.ticket, ofUsers: Array(Set(messages.compactMap(\.to.consumer))), on: connection)
        let byAccount = try OwnerNotices.addresses(
            .ticket, of: Array(Set(messages.filter { $0.to.consumer == nil }.map(\.to.account))), on: connection)
        for (recipient, text) in messages {
            let addresses = recipient.consumer.map { byUser[$0] ?? [] } ?? byAccount[recipient.account] ?? []
            try OwnerNotices.write(.ticket, text, to: addresses, purpose: "ticket", on: connection)
        }
    }
}

/// The ticket row a step works on, locked for the rest of the transaction.
struct LockedTicket {
    let id: Int64
    let number: String
    let accountID: Int64
    let consumerID: Int64?
    let status: TicketStatus
    let clock: ServiceClock
    let resolvedAt: Date?
    let mergedInto: Int64?
    let rating: Int?

    var recipient: TicketLog.Recipient { TicketLog.Recipient(consumer: consumerID, account: accountID) }

    /// The ticket `number`, locked; with `consumer`, only if that consumer follows it (else not found).
    static func lock(_ number: String, consumer: Int64? = nil, on connection: PostgresConnection) throws -> LockedTicket {
        let follower: SQL = consumer.map { "AND \(Ticket.followedBy($0))" } ?? ""
        guard
            let row = try connection.query(
                """
                SELECT t.id, t.number, t.account_id, t.consumer_id, t.status, t.target_seconds, t.used_seconds, t.running_since,
                       t.resolved_at, t.merged_into, t.rating
                FROM tickets t WHERE t.number = \(number) \(follower) FOR UPDATE
                """
            ).rows.first
        else { throw NotFound("ticket") }
        return LockedTicket(
            id: try row.decode("id"), number: try row.decode("number"), accountID: try row.decode("account_id"),
            consumerID: try row.decode("consumer_id"), status: try row.decode("status"),
            clock: ServiceClock(
                targetSeconds: try row.decode("target_seconds"), usedSeconds: try row.decode("used_seconds"),
                runningSince: try row.decode("running_since")),
            resolvedAt: try row.decode("resolved_at"), mergedInto: try row.decode("merged_into"), rating: try row.decode("rating", as: Int?.self))
    }

    /// Moves the ticket to `status`, stopping or starting its clock to match, and writes the event.
    func move(to status: TicketStatus, by userID: Int64?, staff: Bool, note: String? = nil, at now: Date, on connection: PostgresConnection) throws {
        let clock = status.clockRuns ? self.clock.started(at: now) : self.clock.stopped(at: now)
        try connection.execute(
            """
            UPDATE tickets SET status = \(status), used_seconds = \(clock.usedSeconds), running_since = $1, due_at = $2,
                resolved_at = CASE \(status)::text WHEN 'resolved' THEN \(now)::timestamptz WHEN 'closed' THEN resolved_at END,
                closed_at = CASE WHEN \(status)::text = 'closed' THEN \(now)::timestamptz END, updated_at = \(now)
            WHERE id = \(id)
            """, [clock.runningSince, clock.dueAt])
        try TicketLog.write(.status, ticket: id, by: userID, staff: staff, status: status, body: note, at: now, on: connection)
    }
}
