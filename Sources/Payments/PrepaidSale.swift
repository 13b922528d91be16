import Foundation
import Notifications
import Platform
import Prepaid

/// BL-8: what a confirmed purchase of prepaid credit writes, in the transaction that credits the
/// payment: the tokens (`IssueCreditToken`), a ledger entry selling the credit so the account's
/// balance is where it was, and an SMS with the token's digits. An account that owes (a purchase
/// its bank took back, for one) pays a share of each purchase towards it; the rest buys energy.
public struct PrepaidSale: Sendable {
    let issue: IssueCreditToken

    public init(issue: IssueCreditToken) {
        self.issue = issue
    }

    func complete(
        _ payment: Payment, meterID: Int64, amount: Money, receipt: String, settings: PaymentSettings, on connection: PostgresConnection, now: Date
    )
        throws
    {
        // The payment is already credited, so what the account owed before it is the balance now
        // plus the payment.
        let balance: Int64 =
            try connection.query("SELECT balance FROM account_balances WHERE account_id = \(payment.accountID)").rows.first?.decode("balance") ?? 0
        let recovered = issue.settings.debtShare(of: amount, owed: Money(minorUnits: balance) + amount)
        let sold = amount - recovered
        // The payment counts whatever happens; a token that cannot be made leaves the money on the
        // account as credit, and the owner is told, rather than failing the gateway's callback.
        try connection.execute("SAVEPOINT prepaid_sale")
        let tokens: [PrepaidToken]
        do {
            tokens = try issue.issue(for: sold, meterID: meterID, accountID: payment.accountID, paymentID: payment.id, at: now, on: connection)
            // The meter must still be on the account that paid.
            guard
                try connection.query(
                    "SELECT 1 FROM meter_installations WHERE meter_id = \(meterID) AND account_id = \(payment.accountID) AND removed_on IS NULL"
                ).rows.first != nil
            else { throw TokenRefused.notPrepaid }
        } catch let refused as TokenRefused {
            try connection.execute("ROLLBACK TO SAVEPOINT prepaid_sale")
            // The whole payment stays on the account: it pays what the account owed, and the rest is credit.
            let owedBefore = Money(minorUnits: balance) + amount
            let whereItWent =
                if owedBefore >= amount {
                    "It paid \(settings.currency.format(amount)) of what account \(payment.accountNumber) owed"
                } else if owedBefore > .zero {
                    "It paid the \(settings.currency.format(owedBefore)) account \(payment.accountNumber) owed and \(settings.currency.format(amount - owedBefore)) is credit"
                } else {
                    "The amount is on account \(payment.accountNumber) as credit"
                }
            try OwnerNotices.send(
                .paymentReceipt, to: payment.accountID,
                "Meterline: receipt \(receipt), \(settings.currency.format(amount)). We could not make your token (\(refused.description)) \(whereItWent); call us and we will issue it.",
                purpose: "prepaid_token", on: connection)
            return
        }
        guard let credit = tokens.last else { return }
        try connection.execute(
            """
            INSERT INTO ledger_entries (account_id, kind, amount, payment_id, booked_at, note)
            VALUES (\(payment.accountID), 'token_sale', \(sold.minorUnits), \(payment.id), \(now),
                    \("Prepaid electricity, \(credit.energy) for meter \(credit.meterSerial) (receipt \(receipt))"))
            """)
        try connection.execute(
            """
            UPDATE account_balances SET balance = balance + \(sold.minorUnits), updated_at = \(now) WHERE account_id = \(payment.accountID)
            """)
        if recovered > .zero {
            try connection.execute("UPDATE payments SET debt_recovered = \(recovered.minorUnits) WHERE id = \(payment.id)")
        }
        let typed = tokens.map(\.grouped).joined(separator: ", then ")
        let stillOwed = Money(minorUnits: balance) + sold
        let debt =
            recovered > .zero
            ? " \(settings.currency.format(recovered)) of it paid what the account owed"
                + (stillOwed > .zero ? "; \(settings.currency.format(stillOwed)) is still owed." : ", which is now cleared.")
            : ""
        try OwnerNotices.send(
            .paymentReceipt, to: payment.accountID,
            "Meterline: receipt \(receipt), \(settings.currency.format(amount)) for \(credit.energy) on meter \(credit.meterSerial).\(debt) Token: \(typed).",
            purpose: "prepaid_token", on: connection)
    }

    /// A chargeback of a purchase: the tokens not yet taken by the meter are not sent any more.
    /// The energy is owed again (the reversal's ledger entry); the token already typed cannot be
    /// taken back from a meter.
    static func reverse(_ payment: Payment, on connection: PostgresConnection, now: Date) throws {
        try connection.execute(
            """
            UPDATE meter_commands c SET answered_at = \(now), ok = false, answer = 'Not sent: the payment was reversed.'
            FROM prepaid_tokens t WHERE t.payment_id = \(payment.id) AND c.id = t.command_id AND c.answered_at IS NULL
            """)
    }
}
