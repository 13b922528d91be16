import Platform

/// BL-4: proves the ledger holds together. `meterline verify-ledger` runs it; so do the tests
/// after every money path.
public struct VerifyLedger: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Report: Sendable, Equatable {
        public let entries: Int
        public let accounts: Int
        /// Each a sentence naming what is wrong; empty when the ledger is sound.
        public let problems: [String]
        public var isSound: Bool { problems.isEmpty }
    }

    public func run() async throws -> Report {
        try await database.transaction(isolation: .repeatableRead) { connection in
            var problems: [String] = []
            let counts = try connection.query(
                "SELECT (SELECT count(*) FROM ledger_entries) AS entries, (SELECT count(*) FROM account_balances) AS accounts"
            ).rows[0]
            for row in try connection.query(
                """
                SELECT a.account_number, coalesce(b.balance, 0) AS balance, coalesce(e.sum, 0) AS sum
                FROM (SELECT account_id, sum(amount) AS sum FROM ledger_entries GROUP BY account_id) e
                FULL JOIN account_balances b ON b.account_id = e.account_id
                JOIN accounts a ON a.id = coalesce(e.account_id, b.account_id)
                WHERE coalesce(b.balance, 0) <> coalesce(e.sum, 0)
                ORDER BY a.account_number LIMIT 50
                """
            ).rows {
                problems.append(
                    "Account \(try row.decode("account_number", as: String.self)): balance \(try row.decode("balance", as: Int64.self)) but entries sum to \(try row.decode("sum", as: Int64.self))."
                )
            }
            for row in try connection.query(
                """
                SELECT b.number, count(e.id) AS entries, coalesce(sum(e.amount), 0) AS amount, b.total FROM bills b
                LEFT JOIN ledger_entries e ON e.bill_id = b.id AND e.kind = 'bill'
                WHERE b.number IS NOT NULL GROUP BY b.id HAVING count(e.id) <> 1 OR coalesce(sum(e.amount), 0) <> b.total
                ORDER BY b.number LIMIT 50
                """
            ).rows {
                problems.append(
                    "Bill \(try row.decode("number", as: String.self)) has \(try row.decode("entries", as: Int.self)) ledger entries for its total of \(try row.decode("total", as: Int64.self))."
                )
            }
            for row in try connection.query(
                """
                SELECT c.number, count(e.id) AS entries FROM credit_notes c
                LEFT JOIN ledger_entries e ON e.bill_id = c.bill_id AND e.kind = 'credit_note'
                GROUP BY c.id HAVING count(e.id) <> 1 OR coalesce(sum(e.amount), 0) <> -c.amount
                ORDER BY c.number LIMIT 50
                """
            ).rows {
                problems.append(
                    "Credit note \(try row.decode("number", as: String.self)) has \(try row.decode("entries", as: Int.self)) ledger entries for its amount."
                )
            }
            for row in try connection.query(
                "SELECT number FROM bills b WHERE number IS NULL AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.bill_id = b.id) LIMIT 50"
            ).rows {
                problems.append("A bill not issued has a ledger entry: \(try row.decode("number", as: String?.self) ?? "unnumbered").")
            }
            // A payment counts once when credited, and is taken back once when reversed (BL-5).
            for row in try connection.query(
                """
                SELECT p.receipt_number, p.status FROM payments p
                WHERE p.status IN ('succeeded', 'reversed') AND (
                    (SELECT coalesce(sum(e.amount), 0) FROM ledger_entries e WHERE e.payment_id = p.id AND e.kind = 'payment') <> -p.amount
                    OR (SELECT count(*) FROM ledger_entries e WHERE e.payment_id = p.id AND e.kind = 'reversal')
                       <> CASE WHEN p.status = 'reversed' THEN 1 ELSE 0 END)
                ORDER BY p.id LIMIT 50
                """
            ).rows {
                problems.append(
                    "Payment \(try row.decode("receipt_number", as: String.self)) (\(try row.decode("status", as: String.self))) does not have its ledger entries."
                )
            }
            // A prepaid purchase sells its energy once, for what was paid less what went to the
            // account's debt, when its credit token was made (BL-8); one whose token could not be
            // made stays as credit and sells nothing.
            for row in try connection.query(
                """
                SELECT p.receipt_number FROM payments p
                LEFT JOIN prepaid_tokens t ON t.payment_id = p.id AND t.kind = 'credit'
                LEFT JOIN ledger_entries e ON e.payment_id = p.id AND e.kind = 'token_sale'
                WHERE (t.id IS NULL) <> (e.id IS NULL) OR e.amount + p.debt_recovered <> p.amount OR (e.id IS NULL AND p.debt_recovered <> 0)
                   OR (e.id IS NOT NULL AND p.status NOT IN ('succeeded', 'reversed'))
                ORDER BY p.id LIMIT 50
                """
            ).rows {
                problems.append(
                    "Payment \(try row.decode("receipt_number", as: String?.self) ?? "without a receipt") does not match its prepaid token sale.")
            }
            for row in try connection.query(
                """
                SELECT e.id FROM ledger_entries e LEFT JOIN payments p ON p.id = e.payment_id
                WHERE e.kind = 'payment' AND (p.status IS NULL OR p.status NOT IN ('succeeded', 'reversed')) LIMIT 50
                """
            ).rows {
                problems.append("Ledger entry \(try row.decode("id", as: Int64.self)) is a payment that never counted.")
            }
            // Bill, credit note, receipt and ticket numbers run 1…last in each series and year, with no gap and none beyond the counter.
            for row in try connection.query(
                """
                SELECT s.prefix, s.year, s.last, count(b.id) AS issued, coalesce(max(substring(b.number from '[0-9]+$')::int), 0) AS highest
                FROM bill_number_series s
                LEFT JOIN (SELECT id, number FROM bills WHERE number IS NOT NULL UNION ALL SELECT id, number FROM credit_notes
                           UNION ALL SELECT id, receipt_number FROM payments WHERE receipt_number IS NOT NULL
                           UNION ALL SELECT id, number FROM tickets) b
                       ON b.number LIKE s.prefix || '-' || s.year || '-%'
                GROUP BY s.prefix, s.year, s.last
                HAVING count(b.id) <> s.last OR coalesce(max(substring(b.number from '[0-9]+$')::int), 0) <> s.last
                """
            ).rows {
                problems.append(
                    "Numbers \(try row.decode("prefix", as: String.self))-\(try row.decode("year", as: Int.self)): \(try row.decode("issued", as: Int.self)) issued, highest \(try row.decode("highest", as: Int.self)), counter at \(try row.decode("last", as: Int.self)): there is a gap."
                )
            }
            // The totals finance's reports read are the entries' own (BL-9).
            for row in try connection.query(
                """
                SELECT to_char(coalesce(e.month, t.month), 'YYYY-MM') AS month, coalesce(e.kind, t.kind) AS kind,
                       coalesce(e.amount, 0) AS entries, coalesce(t.amount, 0) AS kept
                FROM (SELECT date_trunc('month', booked_at)::date AS month, kind, payment_id IS NOT NULL AS of_payment, sum(amount) AS amount,
                             count(*) AS entries
                      FROM ledger_entries GROUP BY 1, 2, 3) e
                FULL JOIN ledger_month_totals t ON (t.month, t.kind, t.of_payment) = (e.month, e.kind, e.of_payment)
                WHERE e.amount IS DISTINCT FROM t.amount OR e.entries IS DISTINCT FROM t.entries
                ORDER BY 1, 2 LIMIT 50
                """
            ).rows {
                problems.append(
                    "The \(try row.decode("kind", as: String.self)) total of \(try row.decode("month", as: String.self)) is \(try row.decode("kept", as: Int64.self)) but its entries sum to \(try row.decode("entries", as: Int64.self))."
                )
            }
            for row in try connection.query(
                """
                SELECT to_char(coalesce(e.period, t.period), 'YYYY-MM') AS period, coalesce(e.billed, 0) AS entries, coalesce(t.billed, 0) AS kept
                FROM (SELECT b.period, count(*) FILTER (WHERE e.kind = 'bill') AS bills, coalesce(sum(e.amount) FILTER (WHERE e.kind = 'bill'), 0) AS billed,
                             count(*) FILTER (WHERE e.kind = 'credit_note') AS credited_bills,
                             coalesce(-sum(e.amount) FILTER (WHERE e.kind = 'credit_note'), 0) AS credited,
                             sum(CASE e.kind WHEN 'bill' THEN b.units ELSE -b.units END) AS units
                      FROM ledger_entries e JOIN bills b ON b.id = e.bill_id WHERE e.kind IN ('bill', 'credit_note') GROUP BY 1) e
                FULL JOIN (SELECT period, sum(bills) AS bills, sum(billed) AS billed, sum(credited_bills) AS credited_bills,
                                  sum(credited) AS credited, sum(units) AS units
                           FROM bill_period_totals GROUP BY 1) t ON t.period = e.period
                WHERE (e.bills, e.billed, e.credited_bills, e.credited, e.units) IS DISTINCT FROM (t.bills, t.billed, t.credited_bills, t.credited, t.units)
                ORDER BY 1 LIMIT 50
                """
            ).rows {
                problems.append(
                    "The bills of \(try row.decode("period", as: String.self)) are kept as \(try row.decode("kept", as: Int64.self)) billed but their entries sum to \(try row.decode("entries", as: Int64.self)), or their count, credit or units differ."
                )
            }
            return Report(entries: try counts.decode("entries"), accounts: try counts.decode("accounts"), problems: problems)
        }
    }
}
