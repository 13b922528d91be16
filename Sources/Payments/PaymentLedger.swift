import Billing
import Foundation
import Notifications
import Platform

/// What crediting or reversing a payment writes, in the caller's transaction: the ledger entry,
/// the balance, the receipt number and its lines, and the message to the account's owner. Online
/// and office payments end here alike.
enum PaymentLedger {
    /// Credits a payment whose row the caller holds locked: receipt number, ledger entry, balance,
    /// and what it settled, oldest bills first. An amount above what is owed stays as credit.
    static func credit(
        _ payment: Payment, amount: Money, settings: PaymentSettings, on connection: PostgresConnection, now: Date, today: CalendarDay,
        notify: Bool = true, allocate: Bool = true
    ) throws -> String {
        // Added, never set: a bill issued at the same moment adds its own part. The row stays locked
        // to the end of the transaction, so `before` and `after` are this payment's alone.
        let after = try connection.query(
            """
            INSERT INTO account_balances (account_id, balance, updated_at) VALUES ($1, $2, $3)
            ON CONFLICT (account_id) DO UPDATE SET balance = account_balances.balance + EXCLUDED.balance, updated_at = EXCLUDED.updated_at
            RETURNING balance
            """, [payment.accountID, -amount.minorUnits, now]
        ).rows[0].decode("balance", as: Int64.self)
        let before = after + amount.minorUnits
        // The bills the payment settled: those open at the old balance and not at the new one.
        if allocate {
            try connection.execute(
                """
                INSERT INTO payment_allocations (payment_id, bill_id, amount)
                SELECT \(payment.id), id, open_before - open_after
                FROM (\(OpenBills.query(account: payment.accountID, balance: before, other: after))) o
                WHERE open_before > open_after
                """)
        }
        // The receipt counter is one row every payment takes in turn: taken last, held briefly.
        let receipt = try NumberSeries.next(in: settings.receiptPrefix, year: today.year, on: connection)
        try connection.execute(
            """
            UPDATE payments SET status = 'succeeded', amount = $2, receipt_number = $3, credited_at = $4, failure = NULL WHERE id = $1
            """, [payment.id, amount.minorUnits, receipt, now])
        try connection.execute(
            """
            INSERT INTO ledger_entries (account_id, kind, amount, payment_id, booked_at, note)
            VALUES ($1, 'payment', $2, $3, $4, $5)
            """, [payment.accountID, -amount.minorUnits, payment.id, now, "Payment \(receipt) (\(payment.method.title.lowercased()))"])
        guard notify else { return receipt }
        try notifyOwner(
            of: payment.accountID,
            "Meterline: we received your payment of \(settings.currency.format(amount)) for account \(payment.accountNumber). Receipt \(receipt). Your balance is now \(settings.currency.balance(Money(minorUnits: after))).",
            purpose: "payment_receipt", on: connection)
        return receipt
    }

    /// A chargeback: the payment no longer counts. One ledger entry puts the amount back on the
    /// balance, and with it the bills the payment had settled are open again.
    static func reverse(_ payment: Payment, reason: String?, settings: PaymentSettings, on connection: PostgresConnection, now: Date) throws {
        try connection.execute("UPDATE payments SET status = 'reversed', reversed_at = $2 WHERE id = $1", [payment.id, now])
        try connection.execute(
            """
            INSERT INTO ledger_entries (account_id, kind, amount, payment_id, booked_at, note)
            VALUES ($1, 'reversal', $2, $3, $4, $5)
            """,
            [
                payment.accountID, payment.amount.minorUnits, payment.id, now,
                "Payment \(payment.receiptNumber ?? "") reversed by the gateway" + (note(reason, limit: 200).map { ": \($0)" } ?? ""),
            ])
        let after = try connection.query(
            """
            INSERT INTO account_balances (account_id, balance, updated_at) VALUES ($1, $2, $3)
            ON CONFLICT (account_id) DO UPDATE SET balance = account_balances.balance + EXCLUDED.balance, updated_at = EXCLUDED.updated_at
            RETURNING balance
            """, [payment.accountID, payment.amount.minorUnits, now]
        ).rows[0].decode("balance", as: Int64.self)
        try notifyOwner(
            of: payment.accountID,
            "Meterline: your payment \(payment.receiptNumber ?? "") of \(settings.currency.format(payment.amount)) for account \(payment.accountNumber) was reversed by your bank. Your balance is now \(settings.currency.balance(Money(minorUnits: after))).",
            purpose: "payment_reversed", on: connection)
    }

    /// A gateway's or a person's words, fit to store: without NUL, at most `limit` code points
    /// (PostgreSQL counts those), nil when nothing is left.
    static func note(_ text: String?, limit: Int = 500) -> String? {
        guard let text else { return nil }
        let kept = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\0" }.prefix(limit)))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return kept.isEmpty ? nil : kept
    }

    static func notifyOwner(of accountID: Int64, _ body: String, purpose: String, on connection: PostgresConnection) throws {
        try OwnerNotices.send(.paymentReceipt, to: accountID, body, purpose: purpose, on: connection)
    }
}
