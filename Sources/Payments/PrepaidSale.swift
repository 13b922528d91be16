import Foundation
import Notifications
import Platform
import Prepaid

/// BL-8: what a confirmed purchase of prepaid credit writes, in the transaction that credits the
/// payment: the tokens (`IssueCreditToken`), a ledger entry selling the credit so the account's
/// balance is where it was, and an SMS with the token's digits.
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
        let tokens = try issue.issue(
            for: amount, meterID: meterID, accountID: payment.accountID, paymentID: payment.id, at: now, on: connection)
        guard let credit = tokens.last else { return }
        try connection.execute(
            """
            INSERT INTO ledger_entries (account_id, kind, amount, payment_id, booked_at, note)
            VALUES (\(payment.accountID), 'token_sale', \(amount.minorUnits), \(payment.id), \(now),
                    \("Prepaid electricity, \(credit.energy) for meter \(credit.meterSerial) (receipt \(receipt))"))
            """)
        try connection.execute(
            """
            UPDATE account_balances SET balance = balance + \(amount.minorUnits), updated_at = \(now) WHERE account_id = \(payment.accountID)
            """)
        let typed = tokens.map(\.grouped).joined(separator: ", then ")
        try OwnerNotices.send(
            .paymentReceipt, to: payment.accountID,
            "Meterline: receipt \(receipt), \(settings.currency.format(amount)) for \(credit.energy) on meter \(credit.meterSerial). Token: \(typed).",
            purpose: "prepaid_token", on: connection)
    }
}
