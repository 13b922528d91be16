import Notifications
import Platform

/// BL-2, BL-4: issues an approved run's bills. Each batch is one transaction that numbers its
/// bills from the series counter, enters them in the ledger, moves the balances and writes the
/// consumers' messages to the outbox; a crash rolls all of that back together, so numbers have no
/// gaps and issuing again resumes where it stopped.
public struct IssueBillRun: Sendable {
    let database: Database
    let settings: BillingSettings
    /// Today, and the time records are stamped with: the database's clock unless given one.
    let clock: any WallClock

    public init(database: Database, settings: BillingSettings, clock: (any WallClock)? = nil) {
        self.database = database
        self.settings = settings
        self.clock = clock ?? database.clock
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case notApproved(BillRun.Status)
        public var description: String {
            switch self {
            case .notApproved(let status): "A run is issued once a second finance user approves it; this one is \(status.rawValue)."
            }
        }
    }

    public func run(_ runID: Int64, progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> BillRun {
        let period: BillingPeriod = try await database.transaction { connection in
            guard
                let row = try connection.query(
                    "SELECT status, to_char(period, 'YYYY-MM') AS period FROM bill_runs WHERE id = $1 FOR UPDATE", [runID]
                ).rows.first
            else { throw NotFound("bill run") }
            let status: BillRun.Status = try row.decode("status")
            guard status == .approved || status == .issuing else { throw Refused.notApproved(status) }
            try connection.execute("UPDATE bill_runs SET status = 'issuing' WHERE id = $1", [runID])
            return BillingPeriod(try row.decode("period", as: String.self))!
        }
        // What there is to issue, and what is issued already (after a crash), counted once.
        let counts = try await database.query(
            """
            UPDATE bill_runs SET accounts_done = (SELECT count(*) FROM bills WHERE bill_run_id = $1 AND number IS NOT NULL AND replaces_bill_id IS NULL)
            WHERE id = $1 RETURNING accounts_done,
                (SELECT count(*) FROM bills WHERE bill_run_id = $1 AND exception IS DISTINCT FROM 'cannot_price' AND replaces_bill_id IS NULL) AS total
            """, [runID]
        ).rows[0]
        let total: Int = try counts.decode("total")
        // Batches go up the run's bill ids: each starts after the last one numbered, so it does not
        // step over the bills numbered before it (scanning from the start each time is quadratic).
        var after: Int64 = 0
        while let (done, total, last) = try await issueBatch(runID: runID, period: period, total: total, after: after) {
            after = last
            progress(done, total)
            // Between batches only: a cancelled run stops with whole batches issued, as after a crash.
            try Task.checkCancellation()
        }
        let now = clock.now
        try await database.transaction { connection in
            try connection.execute("UPDATE bill_runs SET status = 'issued', issued_at = $2 WHERE id = $1 AND status = 'issuing'", [runID, now])
            // Once per month, for every bill page of it: what similar premises used (BL-3).
            try connection.execute(
                """
                INSERT INTO similar_use (period, category, area, premises, median_units)
                SELECT $1::date, a.category, a.area, count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY b.units))::bigint
                FROM bills b JOIN accounts a ON a.id = b.account_id
                -- A month's own use only: not bills that catch up on earlier estimates or a capped back-bill.
                WHERE b.period = $1::date AND b.number IS NOT NULL AND NOT b.estimated
                  AND b.true_up_units IS NULL AND b.written_off_units IS NULL
                  AND NOT EXISTS (SELECT 1 FROM credit_notes cn WHERE cn.bill_id = b.id)
                GROUP BY a.category, a.area
                ON CONFLICT (period, category, area) DO UPDATE SET premises = EXCLUDED.premises, median_units = EXCLUDED.median_units
                """, [period.first.description])
        }
        // A month of bills and ledger entries just arrived: fresh statistics now, not whenever
        // autovacuum comes round, or finance's reports right after the run plan for a handful of
        // rows (measured: billed-and-collected 656 ms before, 111 ms after, at 100,000 accounts).
        // Best effort: the run is issued already, and autovacuum does it later anyway.
        _ = try? await database.query("ANALYZE bills, ledger_entries, account_balances")
        // Every account billed is to be worked out again for the defaulters list: now, rather than
        // on the next finance page. Best effort too: that page does it if this does not.
        _ = try? await Arrears(database: database, clock: clock).bringUpToDate()
        return try await BillRun.find(runID, in: database)
    }

    /// Issues the next batch of bills with ids above `after`: bills done, bills in all, and the
    /// batch's highest id. Nil when none is left.
    private func issueBatch(runID: Int64, period: BillingPeriod, total: Int, after: Int64) async throws -> (Int, Int, Int64)? {
        let settings = self.settings
        let now = clock.now
        let today = CalendarDay.current(clock)
        return try await database.transaction { connection in
            let prefix = settings.billNumberPrefix
            // The counter row is locked for the transaction: one issuer numbers at a time.
            try connection.execute(
                "INSERT INTO bill_number_series (prefix, year, last) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING", [prefix, today.year])
            let last = try connection.query(
                "SELECT last FROM bill_number_series WHERE prefix = $1 AND year = $2 FOR UPDATE", [prefix, today.year]
            ).rows[0].decode("last", as: Int64.self)
            let issued = try connection.query(
                """
                WITH picked AS (
                    SELECT id FROM bills WHERE bill_run_id = $1 AND id > $9 AND number IS NULL AND exception IS DISTINCT FROM 'cannot_price'
                    ORDER BY id LIMIT $2 FOR UPDATE
                ), next AS (
                    SELECT id, row_number() OVER (ORDER BY id) AS n FROM picked
                )
                -- Six digits at least; a series that passes 999,999 in a year grows a digit rather than wrap.
                UPDATE bills b SET number = $3 || '-' || $4 || '-' || lpad(($5 + next.n)::text, greatest(6, length(($5 + next.n)::text)), '0'),
                       issued_at = $8, due_on = $6::date + $7::int,
                       balance_before = coalesce((SELECT balance FROM account_balances WHERE account_id = b.account_id), 0)
                FROM next WHERE b.id = next.id
                RETURNING b.id
                """, [runID, settings.batchSize, prefix, String(today.year), last, today.description, settings.dueDays, now, after]
            ).rows
            guard !issued.isEmpty else { return nil }
            let ids = try issued.map { try $0.decode("id", as: Int64.self) }
            try connection.execute(
                "UPDATE bill_number_series SET last = last + $3 WHERE prefix = $1 AND year = $2", [prefix, today.year, issued.count])
            try connection.execute(
                """
                INSERT INTO ledger_entries (account_id, kind, amount, bill_id, booked_at)
                SELECT account_id, 'bill', total, id, issued_at FROM bills WHERE id = ANY ($1::bigint[])
                """, [ids])
            try connection.execute(
                """
                INSERT INTO account_balances (account_id, balance, updated_at)
                SELECT account_id, total, issued_at FROM bills WHERE id = ANY ($1::bigint[])
                ON CONFLICT (account_id) DO UPDATE SET balance = account_balances.balance + EXCLUDED.balance, updated_at = EXCLUDED.updated_at
                """, [ids])
            // Messages to each account's owner, by the channels they chose: addresses for the batch in one query.
            let issuedBills = try connection.query(
                "SELECT account_id, number, total, due_on::text AS due_on FROM bills WHERE id = ANY ($1::bigint[])", [ids]
            ).rows
            let addresses = try OwnerNotices.addresses(.newBill, of: try issuedBills.map { try $0.decode("account_id") }, on: connection)
            for row in issuedBills {
                guard let to = addresses[try row.decode("account_id", as: Int64.self)] else { continue }
                let amount = settings.currency.format(Money(minorUnits: try row.decode("total")))
                try OwnerNotices.write(
                    .newBill,
                    "Meterline: your \(period.name) bill \(try row.decode("number", as: String.self)) is \(amount), due \(try row.decode("due_on", as: String.self)). Sign in to see how it is worked out.",
                    to: to, purpose: "bill_issued", on: connection)
            }
            // Counted up, not recounted: a count of the run's bills per batch grows with the run.
            let done = try connection.query(
                "UPDATE bill_runs SET accounts_done = accounts_done + $2 WHERE id = $1 RETURNING accounts_done", [runID, issued.count]
            ).rows[0].decode("accounts_done", as: Int.self)
            return (done, total, ids.max()!)
        }
    }
}
