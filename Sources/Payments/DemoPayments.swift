import Platform

/// The demo town's payments, so its balances look like a real town's: most accounts pay each
/// bill in full by bank transfer a week or two after it is issued; one in 25 pays 60% of each
/// bill, one in 25 never pays (the defaulters list has someone on it), and a quarter have not
/// yet paid the latest bill. Recorded by one finance user and verified by another, each with a
/// receipt number and a ledger entry. Safe to run again: bills paid in the demo are skipped.
public struct DemoPayments: Sendable {
    let database: Database
    let settings: PaymentSettings

    public init(database: Database, settings: PaymentSettings) {
        self.database = database
        self.settings = settings
    }

    /// Pays the issued bills that have no demo payment yet; returns how many payments it made.
    @discardableResult
    public func seed(recordedBy: Int64, verifiedBy: Int64) async throws -> Int {
        let now = database.clock.now
        let prefix = settings.receiptPrefix
        return try await database.transaction { connection in
            try connection.execute(
                """
                CREATE TEMP TABLE demo_payments ON COMMIT DROP AS
                WITH latest AS (SELECT max(period) AS period FROM bills WHERE number IS NOT NULL),
                due AS (
                    SELECT b.id AS bill_id, b.account_id, 'Demo transfer for ' || b.number AS reference,
                           CASE WHEN b.account_id % 25 = 1 THEN round(b.total * 0.6)::bigint ELSE b.total END AS amount,
                           least(b.issued_at + make_interval(days => 5 + (b.account_id % 12)::int), \(now)::timestamptz) AS at,
                           b.account_id % 25 <> 1 AS whole
                    FROM bills b, latest
                    WHERE b.number IS NOT NULL AND b.total > 0 AND b.account_id % 25 <> 0
                      AND NOT (b.period = latest.period AND b.account_id % 4 = 0)
                      AND NOT EXISTS (SELECT 1 FROM credit_notes cn WHERE cn.bill_id = b.id)
                      AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.account_id = b.account_id AND p.reference = 'Demo transfer for ' || b.number)
                )
                SELECT due.*, extract(year FROM at)::int AS year,
                       row_number() OVER (PARTITION BY extract(year FROM at) ORDER BY at, bill_id) AS n
                FROM due
                """)
            // Receipt numbers follow on from each year's counter, which moves with them: no gap.
            try connection.execute(
                """
                INSERT INTO bill_number_series (prefix, year, last)
                SELECT \(prefix), year, 0 FROM demo_payments GROUP BY year ON CONFLICT DO NOTHING
                """)
            let made = try connection.execute(
                """
                INSERT INTO payments (account_id, amount, method, status, reference, receipt_number, created_by, created_at, verified_by, credited_at)
                SELECT d.account_id, d.amount, 'bank_transfer', 'succeeded', d.reference,
                       \(prefix) || '-' || d.year || '-' || lpad((s.last + d.n)::text, greatest(6, length((s.last + d.n)::text)), '0'),
                       \(recordedBy), d.at, \(verifiedBy), d.at
                FROM demo_payments d JOIN bill_number_series s ON s.prefix = \(prefix) AND s.year = d.year
                """)
            guard made > 0 else { return 0 }
            try connection.execute(
                """
                UPDATE bill_number_series s SET last = s.last + c.count
                FROM (SELECT year, count(*) AS count FROM demo_payments GROUP BY year) c WHERE s.prefix = \(prefix) AND s.year = c.year
                """)
            try connection.execute(
                """
                INSERT INTO ledger_entries (account_id, kind, amount, payment_id, booked_at, note)
                SELECT p.account_id, 'payment', -p.amount, p.id, p.created_at, 'Payment ' || p.receipt_number || ' (bank transfer)'
                FROM demo_payments d JOIN payments p ON p.account_id = d.account_id AND p.reference = d.reference
                """)
            // A whole bill paid in order is what oldest-first settles; part payers' receipts list no bills.
            try connection.execute(
                """
                INSERT INTO payment_allocations (payment_id, bill_id, amount)
                SELECT p.id, d.bill_id, p.amount
                FROM demo_payments d JOIN payments p ON p.account_id = d.account_id AND p.reference = d.reference WHERE d.whole
                """)
            try connection.execute(
                """
                UPDATE account_balances ab SET balance = ab.balance - d.paid, updated_at = greatest(ab.updated_at, d.at)
                FROM (SELECT account_id, sum(amount) AS paid, max(at) AS at FROM demo_payments GROUP BY account_id) d
                WHERE ab.account_id = d.account_id
                """)
            return made
        }
    }
}
