import Foundation
import Notifications
import Platform

/// NT-2: three days before a bill is due, the account's owner gets an SMS saying what is still
/// to pay of it, once per bill; not for a bill paid (payments settle the oldest bills first),
/// credited or disputed. One statement finds, records and writes them all; any number of servers
/// may run it.
public struct SendDueReminders: Sendable {
    let database: Database
    let currency: Currency
    let clock: any WallClock
    /// Days before the due date.
    public static let daysBefore = 3

    public init(database: Database, currency: Currency, clock: (any WallClock)? = nil) {
        self.database = database
        self.currency = currency
        self.clock = clock ?? database.clock
    }

    /// Sends the reminders due today (and any a stopped server missed since the due date came
    /// within three days); returns how many bills were reminded.
    @discardableResult
    public func run() async throws -> Int {
        let today = CalendarDay.current(clock)
        let now = clock.now
        let currency = self.currency
        return try await database.transaction { connection in
            let due = try connection.query(
                """
                WITH candidates AS (
                    \(OwedBills.newestFirst(accounts: """
                        b.account_id IN (SELECT account_id FROM bills WHERE number IS NOT NULL
                                         AND due_on BETWEEN \(today.description)::date AND \(today.description)::date + \(Self.daysBefore)::int)
                        """))
                ),
                due AS (
                    SELECT id, account_id, number, due_on, least(total, balance - newer) AS unpaid FROM candidates
                    WHERE due_on BETWEEN \(today.description)::date AND \(today.description)::date + \(Self.daysBefore)::int
                      AND NOT disputed AND balance - newer > 0 AND total > 0
                ),
                recorded AS (
                    INSERT INTO due_reminders (bill_id, sent_at) SELECT id, \(now) FROM due ON CONFLICT DO NOTHING RETURNING bill_id
                )
                SELECT d.account_id, d.number, d.unpaid, to_char(d.due_on, 'FMDD FMMonth') AS due_on
                FROM due d JOIN recorded r ON r.bill_id = d.id
                """
            ).rows
            // The owners' addresses for the lot in one query, by the channels they chose.
            let addresses = try OwnerNotices.addresses(.dueReminder, of: try due.map { try $0.decode("account_id") }, on: connection)
            for row in due {
                guard let to = addresses[try row.decode("account_id", as: Int64.self)] else { continue }
                try OwnerNotices.write(
                    .dueReminder,
                    "Meterline: \(currency.format(Money(minorUnits: try row.decode("unpaid")))) of bill \(try row.decode("number", as: String.self)) is due on \(try row.decode("due_on", as: String.self)). Sign in to pay it, or ignore this if you have just paid.",
                    to: to, purpose: "due_reminder", on: connection)
            }
            return due.count
        }
    }
}
