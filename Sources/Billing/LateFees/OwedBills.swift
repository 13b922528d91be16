import Platform

/// The issued, uncredited bills of accounts that owe, each with `newer`: what the account's newer
/// bills (with their late fees) owe. Payments settle the oldest bills first, so a bill is unpaid
/// for `least(total, balance - newer)` when that is above zero: the rule `OpenBills` shows
/// consumers, in one place for the late-fee pass and the due-date reminders.
enum OwedBills {
    /// Columns: id, account_id, number, total, due_on, disputed, balance, newer. `accounts` limits
    /// which accounts' bills are read (a condition on `b.account_id`).
    static func newestFirst(accounts: SQL) -> SQL {
        """
        SELECT b.id, b.account_id, b.number, b.total, b.due_on, b.disputed, ab.balance,
               coalesce(sum(b.total + coalesce(f.fee, 0)) OVER (PARTITION BY b.account_id ORDER BY b.period DESC, b.id DESC
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS newer
        FROM bills b JOIN account_balances ab ON ab.account_id = b.account_id AND ab.balance > 0
        LEFT JOIN LATERAL (SELECT sum(e.amount) AS fee FROM ledger_entries e WHERE e.bill_id = b.id AND e.kind = 'late_fee') f ON true
        WHERE b.number IS NOT NULL AND (\(accounts))
          -- A credited bill is owed no more.
          AND NOT EXISTS (SELECT 1 FROM credit_notes cn WHERE cn.bill_id = b.id)
        """
    }
}
