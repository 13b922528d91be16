import Foundation
import Identity
import Notifications
import Platform

/// BL-2, BL-4: an issued bill is never edited; finance corrects one by crediting it in full and,
/// where needed, issuing a new bill for the month, worked out again from the readings as they
/// stand (correct the reading first). The credit note has its own gapless number, the new bill the
/// next bill number; each has one ledger entry, and the balance moves with them, all in one
/// transaction. The owner is told by SMS.
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
        case laterMonthBilled(BillingPeriod)
        case cannotPrice

        public var description: String {
            switch self {
            case .noSuchBill(let number): "No issued bill has the number \(number)."
            case .alreadyCredited(let bill, let creditNote): "Bill \(bill) is already credited, by \(creditNote)."
            case .reasonMissing: "Say why the bill is credited, in a few words: the consumer sees it."
            case .reasonTooLong: "Keep the reason under 500 characters."
            case .laterMonthBilled(let period):
                "This account has a bill for \(period.name), drafted or issued, which follows on from this one. Credit the latest bill first (or discard the draft), then this one."
            case .cannotPrice:
                "The month cannot be priced again (no tariff for the category, or no sanctioned load for a per-kW tariff). Fix the account, or credit the bill without a new one."
            }
        }
    }

    public struct CreditNote: Sendable, Equatable {
        public let number: String
        public let billNumber: String
        public let amount: Money
        public let reason: String
        /// The new bill for the month, when one was asked for.
        public let replacement: Replacement?
    }

    public struct Replacement: Sendable, Equatable {
        public let number: String
        public let total: Money
    }

    /// `also` runs in the same transaction once the note (and new bill) are written: a dispute
    /// resolved by this note is marked so with it, or not at all.
    public func run(
        billNumber: String, reason: String, rebill: Bool = false, by userID: Int64, clientAddress: String? = nil,
        also: (@Sendable (PostgresConnection, CreditNote) throws -> Void)? = nil
    ) async throws -> CreditNote {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        // Counted as PostgreSQL counts: code points.
        guard reason.unicodeScalars.count >= 5 else { throw Refused.reasonMissing }
        guard reason.unicodeScalars.count <= 500 else { throw Refused.reasonTooLong }
        let number = billNumber.trimmingCharacters(in: .whitespaces).uppercased()
        let now = clock.now
        let today = CalendarDay.current(clock)
        let year = today.year
        let settings = self.settings
        // A month's tariffs cannot change once it is billed, so they are read before the transaction.
        var pricing: (period: BillingPeriod, versions: [String: [TariffBook.Version]], fuel: [String: FuelAdjustment])?
        if rebill,
            let row = try await database.query("SELECT to_char(period, 'YYYY-MM') AS period FROM bills WHERE number = $1", [number]).rows.first,
            let period = BillingPeriod(try row.decode("period", as: String.self))
        {
            pricing = (
                period, try await TariffBook(database: database).versions(in: period), try await DraftBillRun.fuelAdjustments(period, in: database)
            )
        }
        let repricing = pricing
        return try await database.transaction { connection in
            // The bill's row is held: two finance users crediting it at once, the second finds the first's note.
            guard
                let bill = try connection.query(
                    "SELECT id, account_id, total, period::text AS period FROM bills WHERE number = $1 FOR NO KEY UPDATE", [number]
                ).rows.first
            else { throw Refused.noSuchBill(number) }
            let billID: Int64 = try bill.decode("id")
            let accountID: Int64 = try bill.decode("account_id")
            let total = Money(minorUnits: try bill.decode("total"))
            let period: String = try bill.decode("period")
            if let existing = try connection.query("SELECT number FROM credit_notes WHERE bill_id = $1", [billID]).rows.first {
                throw Refused.alreadyCredited(bill: number, by: try existing.decode("number"))
            }
            // A later month's bill opened from this one's reading and deducted its estimates: crediting
            // this one under it would bill that use twice or never. Later runs are held first (FOR
            // UPDATE waits for a drafting batch's key-share lock), so a batch drafting one now finishes
            // before the look, and one starting later sees the note.
            try connection.execute(
                "SELECT id FROM bill_runs WHERE period > $1::date AND status <> 'discarded' ORDER BY id FOR UPDATE", [period])
            if let later = try connection.query(
                """
                SELECT to_char(min(b.period), 'YYYY-MM') AS period FROM bills b
                WHERE b.account_id = $1 AND b.period > $2::date AND NOT EXISTS (SELECT 1 FROM credit_notes cn WHERE cn.bill_id = b.id)
                """, [accountID, period]
            ).rows.first, let name: String = try later.decode("period") {
                throw Refused.laterMonthBilled(BillingPeriod(name)!)
            }
            let creditNumber = try NumberSeries.next(in: settings.creditNotePrefix, year: year, on: connection)
            try connection.execute(
                """
                INSERT INTO credit_notes (bill_id, account_id, number, amount, reason, issued_by, issued_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, [billID, accountID, creditNumber, total.minorUnits, reason, userID, now])
            // A dispute open on the bill is settled by the note, however finance came to write it (BL-7).
            try connection.execute(
                """
                UPDATE disputes SET status = 'resolved', decided_by = $2, decided_at = $3, decision = $4,
                       credit_note_id = (SELECT id FROM credit_notes WHERE bill_id = $1)
                WHERE bill_id = $1 AND status = 'open'
                """, [billID, userID, now, reason])
            try connection.execute("UPDATE bills SET disputed = false WHERE id = $1 AND disputed", [billID])
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
            // A late fee charged on the bill goes with it. (A late-fee pass holds the bill's row while
            // it charges, so a fee is either seen here or not charged at all.)
            var reversedFee: Int64 = 0
            if let fee = try connection.query(
                """
                SELECT sum(amount)::bigint AS fee FROM ledger_entries WHERE bill_id = $1 AND kind IN ('late_fee', 'reversal')
                """, [billID]
            ).rows.first?.decode("fee", as: Int64?.self), fee != 0 {
                try connection.execute(
                    """
                    INSERT INTO ledger_entries (account_id, kind, amount, bill_id, booked_at, note)
                    VALUES ($1, 'reversal', $2, $3, $4, $5)
                    """, [accountID, -fee, billID, now, "Late fee on bill \(number) reversed with credit note \(creditNumber)"])
                try connection.execute(
                    "UPDATE account_balances SET balance = balance - $2, updated_at = $3 WHERE account_id = $1", [accountID, fee, now])
                reversedFee = fee
            }
            var replacement: Replacement?
            var balanceNow = balance - reversedFee
            var dueOn: String?
            if let repricing {
                (replacement, dueOn) = try Self.rebill(
                    billID: billID, accountID: accountID, pricing: repricing, settings: settings, now: now, today: today, on: connection)
                balanceNow += replacement!.total.minorUnits
            }
            let told =
                replacement.map { "The corrected bill \($0.number) is \(settings.currency.format($0.total)), due \(dueOn ?? "")." } ?? ""
            for row in try connection.query(
                "SELECT mobile FROM users WHERE account_id = $1 AND status = 'active' AND mobile IS NOT NULL", [accountID]
            ).rows {
                try Outbox.enqueue(
                    on: connection, channel: .sms, to: try row.decode("mobile"),
                    body:
                        "Meterline: bill \(number) is cancelled by credit note \(creditNumber) for \(settings.currency.format(total)). \(told) Reason: \(reason). Your balance is now \(settings.currency.balance(Money(minorUnits: balanceNow)))."
                        .prefix(600).description,
                    purpose: "credit_note")
            }
            try AuditLog.record(
                on: connection, .billCredited, userID: userID, clientAddress: clientAddress,
                details: [
                    "bill": number, "credit_note": creditNumber, "amount": String(total.minorUnits), "new_bill": replacement?.number ?? "",
                ])
            let note = CreditNote(number: creditNumber, billNumber: number, amount: total, reason: reason, replacement: replacement)
            try also?(connection, note)
            return note
        }
    }

    /// The month's bill again, from the readings as they stand, numbered and entered at once.
    private static func rebill(
        billID: Int64, accountID: Int64, pricing: (period: BillingPeriod, versions: [String: [TariffBook.Version]], fuel: [String: FuelAdjustment]),
        settings: BillingSettings, now: Date, today: CalendarDay, on connection: PostgresConnection
    ) throws -> (Replacement, String) {
        // The caller has made sure no later bill stands on this one.
        let period = pricing.period
        let usage = try DraftBillRun.usage(
            try connection.query(
                DraftBillRun.usageQuery(
                    batch: "SELECT a.id, a.category, a.sanctioned_load_tenths_kw AS load FROM accounts a WHERE a.id = $1 LIMIT $3"),
                [accountID, period.first.description, 1, period.last.description]
            ).rows[0])
        let drafted: DraftBillRun.DraftedBill
        do {
            drafted = try DraftBillRun.bill(
                for: usage, period: period, versions: pricing.versions[usage.category] ?? [], fuel: pricing.fuel[usage.category],
                backBillingMonths: settings.backBillingMonths)
        } catch is TariffCalculator.Refused {
            throw Refused.cannotPrice
        }
        let number = try NumberSeries.next(in: settings.billNumberPrefix, year: today.year, on: connection)
        let total = drafted.lines.map(\.line.amount).sum()
        let inserted = try connection.query(
            """
            INSERT INTO bills (bill_run_id, account_id, period, opening_on, opening_value, closing_on, closing_value, units, estimated,
                               true_up_units, total, exception, written_off_units, billable_from, number, issued_at, due_on, balance_before,
                               replaces_bill_id)
            SELECT o.bill_run_id, o.account_id, o.period, $2::date, $3, $4::date, $5, $6, $7, $8, $9, $10, $11, $12::date, $13, $14,
                   $15::date + $16::int, coalesce((SELECT balance FROM account_balances WHERE account_id = o.account_id), 0), o.id
            FROM bills o WHERE o.id = $1
            RETURNING id, due_on::text AS due_on
            """,
            [
                billID, drafted.openingOn, drafted.openingValue, drafted.closingOn, drafted.closingValue, drafted.units, drafted.estimated,
                drafted.trueUpUnits, total.minorUnits, drafted.exception, drafted.writtenOffUnits, drafted.billableFrom, number, now,
                today.description, settings.dueDays,
            ]
        ).rows[0]
        let newID: Int64 = try inserted.decode("id")
        try connection.copyIn(
            """
            COPY bill_lines (bill_id, position, kind, label, amount, units, rate, percentage, base, monthly, days, period_days, part,
                             tariff_version_id) FROM STDIN
            """,
            rows: drafted.lines.enumerated().map { position, priced in
                let line = priced.line
                return [
                    String(newID), String(position + 1), line.kind.rawValue, line.label, String(line.amount.minorUnits), line.units.map(String.init),
                    line.rate.map { String($0.tenThousandthsOfMinorUnit) }, line.percentage.map { String($0.partsPerMillion) },
                    line.base.map { String($0.minorUnits) }, line.monthly.map { String($0.minorUnits) }, line.days.map(String.init),
                    line.periodDays.map(String.init), String(line.part), String(priced.versionID),
                ]
            })
        try connection.execute(
            "INSERT INTO ledger_entries (account_id, kind, amount, bill_id, booked_at) VALUES ($1, 'bill', $2, $3, $4)",
            [accountID, total.minorUnits, newID, now])
        try connection.execute(
            "UPDATE account_balances SET balance = balance + $2, updated_at = $3 WHERE account_id = $1", [accountID, total.minorUnits, now])
        return (Replacement(number: number, total: total), try inserted.decode("due_on"))
    }
}
