import Foundation
import Platform

/// BL-6: charges the late fee of each bill's tariff once, on issued bills past their due date and
/// the grace days that are still (partly) unpaid. A disputed bill is skipped (BL-7). Run
/// daily by the server and by `meterline late-fees`; running it twice charges nothing twice (a
/// unique index holds one late fee per bill).
public struct ApplyLateFees: Sendable {
    let database: Database
    let graceDays: Int
    let clock: any WallClock
    let batchSize: Int

    public init(database: Database, graceDays: Int, clock: (any WallClock)? = nil, batchSize: Int = 5_000) {
        self.database = database
        self.graceDays = graceDays
        self.clock = clock ?? database.clock
        self.batchSize = batchSize
    }

    /// The number of fees charged.
    @discardableResult
    public func run() async throws -> Int {
        var charged = 0
        var cursor: Int64 = 0
        while let (count, last) = try await batch(after: cursor) {
            charged += count
            cursor = last
        }
        return charged
    }

    private func batch(after cursor: Int64) async throws -> (Int, Int64)? {
        let today = CalendarDay.today(clock)
        let now = clock.now
        let grace = graceDays
        let limit = batchSize
        return try await database.transaction { connection in
            // The next bills past their due date and the grace days, in id order: a batch reads only
            // their accounts' bills, so the pass costs the same per batch however many there are.
            let batch = try connection.query(
                """
                SELECT id FROM bills b WHERE number IS NOT NULL AND id > $1 AND due_on + $2::int < $3::date AND NOT disputed AND total > 0
                  AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.bill_id = b.id AND e.kind = 'late_fee')
                ORDER BY id LIMIT $4
                """, [cursor, grace, today, limit]
            ).rows.map { try $0.decode("id", as: Int64.self) }
            guard let last = batch.last else { return nil }
            // The bills are held while their fees are charged: a credit note being written on one
            // finishes first and is seen here (a new statement), or waits and reverses the fee. The
            // balances are held too, and what is unpaid worked out under the locks, so a payment that
            // arrived meanwhile is counted. (Bills, then balances, as credit notes take them; a payment
            // holds a balance and only key-shares bills, which a share lock does not block.)
            try connection.execute("SELECT id FROM bills WHERE id = ANY ($1::bigint[]) ORDER BY id FOR SHARE", [batch])
            try connection.execute(
                """
                SELECT account_id FROM account_balances WHERE account_id IN (SELECT account_id FROM bills WHERE id = ANY ($1::bigint[]))
                ORDER BY account_id FOR UPDATE
                """, [batch])
            // What is owed is matched to the newest bills first (payments settle the oldest first), so a
            // bill is unpaid for the part of the balance its newer bills (with their fees) do not account
            // for: the rule `OpenBills` shows consumers.
            let due = try connection.query(
                """
                WITH candidates AS (
                    \(OwedBills.newestFirst(accounts: "b.account_id IN (SELECT account_id FROM bills WHERE id = ANY ($1::bigint[]))"))
                )
                SELECT c.id, c.account_id, least(c.total, c.balance - c.newer) AS unpaid, c.number, v.rules::text AS rules
                FROM candidates c
                JOIN bill_lines l ON l.bill_id = c.id AND l.position = 1
                JOIN tariff_versions v ON v.id = l.tariff_version_id
                WHERE c.id = ANY ($1::bigint[]) AND NOT c.disputed AND c.balance - c.newer > 0 AND c.total > 0
                  AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.bill_id = c.id AND e.kind = 'late_fee')
                ORDER BY c.id
                """, [batch]
            ).rows
            let ids = try due.map { try $0.decode("id", as: Int64.self) }
            let credited = Set(
                try connection.query("SELECT bill_id FROM credit_notes WHERE bill_id = ANY ($1::bigint[])", [ids]).rows.map {
                    try $0.decode("bill_id", as: Int64.self)
                })
            var fees: [[String?]] = []
            var rulesByText: [String: TariffRules] = [:]
            for row in due where !credited.contains(try row.decode("id", as: Int64.self)) {
                let text: String = try row.decode("rules")
                let rules = try rulesByText[text] ?? JSONDecoder().decode(TariffRules.self, from: Data(text.utf8))
                rulesByText[text] = rules
                // A percentage is taken of what is still unpaid on the bill, not of its whole total.
                guard let fee = try rules.lateFee?.amount(on: Money(minorUnits: try row.decode("unpaid"))), fee > .zero else { continue }
                fees.append([
                    String(try row.decode("account_id", as: Int64.self)), String(fee.minorUnits), String(try row.decode("id", as: Int64.self)),
                    "Late fee on bill \(try row.decode("number", as: String.self))",
                ])
            }
            try connection.executeScript(
                "CREATE TEMP TABLE late_fees (account_id bigint, amount bigint, bill_id bigint, note text) ON COMMIT DROP")
            try connection.copyIn("COPY late_fees FROM STDIN", rows: fees)
            let charged = try connection.query(
                """
                WITH entries AS (
                    INSERT INTO ledger_entries (account_id, kind, amount, bill_id, booked_at, note)
                    SELECT account_id, 'late_fee', amount, bill_id, $1, note FROM late_fees
                    ON CONFLICT DO NOTHING RETURNING account_id, amount
                ), sums AS (SELECT account_id, sum(amount) AS amount FROM entries GROUP BY account_id),
                moved AS (
                    UPDATE account_balances ab SET balance = ab.balance + sums.amount, updated_at = $1
                    FROM sums WHERE ab.account_id = sums.account_id RETURNING 1
                )
                SELECT (SELECT count(*) FROM entries) AS n, (SELECT count(*) FROM moved) AS accounts
                """, [now]
            ).rows[0].decode("n", as: Int.self)
            return (charged, last)
        }
    }
}
