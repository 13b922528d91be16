import Platform

/// The issued, uncredited bills of accounts that owe, each with `newer`: what the account's newer
/// bills (with their late fees) owe. Payments settle the oldest bills first, so a bill is unpaid
/// for `least(total, balance - newer)` when that is above zero: the rule `OpenBills` shows
/// consumers, in one place for the late-fee pass and the due-date reminders.
enum OwedBills {
    /// Columns: id, account_id, number, total, late_fee, due_on, disputed, balance, newer. `accounts` limits
    /// which accounts' bills are read (a condition on `b.account_id`).
    static func newestFirst(accounts: SQL) -> SQL {
        """
        SELECT b.id, b.account_id, b.number, b.total, coalesce(f.amount, 0) AS late_fee, b.due_on, b.disputed, ab.balance,
               coalesce(sum(b.total + coalesce(f.amount, 0)) OVER (PARTITION BY b.account_id ORDER BY b.period DESC, b.id DESC
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS newer
        FROM bills b JOIN account_balances ab ON ab.account_id = b.account_id AND ab.balance > 0
        -- A bill has one late fee at most (a unique index), so a join, not a lookup per bill.
        LEFT JOIN ledger_entries f ON f.bill_id = b.id AND f.kind = 'late_fee'
        -- A credited bill is owed no more.
        LEFT JOIN credit_notes cn ON cn.bill_id = b.id
        WHERE b.number IS NOT NULL AND cn.id IS NULL AND (\(accounts))
        """
    }
}
