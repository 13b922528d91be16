import Foundation
import Identity
import Notifications
import Platform

/// BL-2, BL-4: an issued bill is never edited; finance corrects one by crediting it in full. The
/// credit note has its own gapless number, one ledger entry against the bill, and the account's
/// balance moves with it in the same transaction. The owner is told by SMS. A corrected bill, where
/// one is needed, is a new bill (disputes, BL-7, bring the re-bill).
public struct IssueCreditNote: Sendable {
    let database: Database
    let settings: BillingSettings
    let clock: any WallClock

    public init(database: Database, settings: BillingSettings, clock: (any WallClock)? = nil) {
        self.database = database
        self.settings = settings
        self.clock = clock ?? database.clock
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case noSuchBill(String)
        case alreadyCredited(bill: String, by: String)
        case reasonMissing
        case reasonTooLong

        public var description: String {
            switch self {
            case .noSuchBill(let number): "No issued bill has the number \(number)."
            case .alreadyCredited(let bill, let creditNote): "Bill \(bill) is already credited, by \(creditNote)."
            case .reasonMissing: "Say why the bill is credited, in a few words: the consumer sees it."
            case .reasonTooLong: "Keep the reason under 500 characters."
            }
        }
    }

    public struct CreditNote: Sendable, Equatable {
        public let number: String
        public let billNumber: String
        public let amount: Money
        public let reason: String
    }

    public func run(billNumber: String, reason: String, by userID: Int64, clientAddress: String? = nil) async throws -> CreditNote {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count >= 5 else { throw Refused.reasonMissing }
        guard reason.count <= 500 else { throw Refused.reasonTooLong }
        let number = billNumber.trimmingCharacters(in: .whitespaces).uppercased()
        let now = clock.now
        let year = CalendarDay.current(clock).year
        let settings = self.settings
        return try await database.transaction { connection in
            // The bill's row is held: two finance users crediting it at once, the second finds the first's note.
            guard
                let bill = try connection.query(
                    "SELECT id, account_id, total FROM bills WHERE number = $1 FOR UPDATE", [number]
                ).rows.first
            else { throw Refused.noSuchBill(number) }
            let billID: Int64 = try bill.decode("id")
            let accountID: Int64 = try bill.decode("account_id")
            let total = Money(minorUnits: try bill.decode("total"))
            if let existing = try connection.query("SELECT number FROM credit_notes WHERE bill_id = $1", [billID]).rows.first {
                throw Refused.alreadyCredited(bill: number, by: try existing.decode("number"))
            }
            let prefix = settings.creditNotePrefix
            // The series' counter moves in this transaction: a failure rolls the number back with the note.
            let serial = try connection.query(
                """
                INSERT INTO bill_number_series (prefix, year, last) VALUES ($1, $2, 1)
                ON CONFLICT (prefix, year) DO UPDATE SET last = bill_number_series.last + 1 RETURNING last
                """, [prefix, year]
            ).rows[0].decode("last", as: Int.self)
            let digits = String(serial)
            let creditNumber = "\(prefix)-\(year)-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits)"
            try connection.execute(
                """
                INSERT INTO credit_notes (bill_id, account_id, number, amount, reason, issued_by, issued_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, [billID, accountID, creditNumber, total.minorUnits, reason, userID, now])
            try connection.execute(
                """
                INSERT INTO ledger_entries (account_id, kind, amount, bill_id, booked_at, note)
                VALUES ($1, 'credit_note', $2, $3, $4, $5)
                """, [accountID, -total.minorUnits, billID, now, "Credit note \(creditNumber) for bill \(number)"])
            let balance = try connection.query(
                """
                INSERT INTO account_balances (account_id, balance, updated_at) VALUES ($1, $2, $3)
                ON CONFLICT (account_id) DO UPDATE SET balance = account_balances.balance + EXCLUDED.balance, updated_at = EXCLUDED.updated_at
                RETURNING balance
                """, [accountID, -total.minorUnits, now]
            ).rows[0].decode("balance", as: Int64.self)
            for row in try connection.query(
                "SELECT mobile FROM users WHERE account_id = $1 AND status = 'active' AND mobile IS NOT NULL", [accountID]
            ).rows {
                try Outbox.enqueue(
                    on: connection, channel: .sms, to: try row.decode("mobile"),
                    body:
                        "Meterline: bill \(number) is cancelled by credit note \(creditNumber) for \(settings.currency.format(total)). Reason: \(reason). Your balance is now \(settings.currency.balance(Money(minorUnits: balance)))."
                        .prefix(600).description,
                    purpose: "credit_note")
            }
            try AuditLog.record(
                on: connection, .billCredited, userID: userID, clientAddress: clientAddress,
                details: ["bill": number, "credit_note": creditNumber, "amount": String(total.minorUnits)])
            return CreditNote(number: creditNumber, billNumber: number, amount: total, reason: reason)
        }
    }
}
