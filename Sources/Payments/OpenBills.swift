import Platform

/// What is still open of each bill, worked out from the balance rather than stored: payments and
/// credit settle the oldest bills first, so what an account owes sits on its newest bills. A bill
/// is open for what the balance leaves after the bills newer than it (never below zero, never above
/// the bill and its late fee). A reversal raises the balance, and so reopens bills, by itself.
enum OpenBills {
    /// What is open of each of the account's bills now, oldest first: (bill number, open amount).
    static func now(account: Int64, in database: Database) async throws -> [(number: String, open: Money)] {
        try await database.query(
            """
            SELECT number, open_before FROM (\(query(account: account, balance: 0, other: 0, current: true))) o ORDER BY period, id
            """
        ).rows.map { (try $0.decode("number"), Money(minorUnits: try $0.decode("open_before"))) }
    }

    /// The account's issued, uncredited bills with `owed` (total and late fee) and what is open of
    /// each at `balance` (`open_before`) and at `other` (`open_after`).
    /// With `current`, `open_before` is at the stored balance instead of `balance`.
    static func query(account: Int64, balance: Int64, other: Int64, current: Bool = false) -> SQL {
        let at: SQL =
            current
            ? "coalesce((SELECT ab.balance FROM account_balances ab WHERE ab.account_id = \(account)), 0)" : "\(balance)::bigint"
        return """
            SELECT id, number, period, owed, greatest(0, least(owed, \(at) - newer)) AS open_before,
                   greatest(0, least(owed, \(other)::bigint - newer)) AS open_after
            FROM (
                SELECT id, number, period, owed,
                       coalesce(sum(owed) OVER (ORDER BY period DESC, id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS newer
                FROM (
                    SELECT b.id, b.number, b.period,
                           b.total + coalesce((SELECT sum(e.amount) FROM ledger_entries e WHERE e.bill_id = b.id AND e.kind = 'late_fee'), 0) AS owed
                    FROM bills b
                    WHERE b.account_id = \(account) AND b.number IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM credit_notes cn WHERE cn.bill_id = b.id)
                ) owed
            ) newer
            """
    }
}
