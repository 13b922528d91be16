import Platform

/// The issued, uncredited bills of accounts that owe, each with `newer`: what the account's newer
/// bills (with their late fees) owe. Payments settle the oldest bills first, so a bill is unpaid
/// for `least(total, balance - newer)` when that is above zero: the rule `OpenBills` shows
/// consumers, in one place for the late-fee pass, the due-date reminders and `Arrears`.
enum OwedBills {
    /// Columns: id, account_id, number, total, late_fee, due_on, disputed, balance, newer. `accounts` limits
    /// which accounts' bills are read (a condition on `b.account_id`).
    static func newestFirst(accounts: SQL) -> SQL {
        """
        SELECT id, account_id, number, total, late_fee, due_on, disputed, balance,
               coalesce(sum(total + late_fee) OVER (PARTITION BY account_id ORDER BY period DESC, id DESC
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS newer
        FROM (
            SELECT b.id, b.account_id, b.number, b.total, b.period, b.due_on, b.disputed, ab.balance,
                   -- A bill has one late fee at most (a unique index): one probe of that index per bill,
                   -- whatever the statistics say. As a join, a late-fee pass the statistics had not seen
                   -- yet was planned as a loop over every fee for every bill (52 s for 20,000 accounts).
                   coalesce((SELECT f.amount FROM ledger_entries f WHERE f.bill_id = b.id AND f.kind = 'late_fee'), 0) AS late_fee
            FROM bills b JOIN account_balances ab ON ab.account_id = b.account_id AND ab.balance > 0
            -- A credited bill is owed no more.
            WHERE b.number IS NOT NULL AND NOT EXISTS (SELECT 1 FROM credit_notes cn WHERE cn.bill_id = b.id) AND (\(accounts))
        ) b
        """
    }
}
