import Foundation
import Testing

@testable import Accounts
@testable import Billing
@testable import Identity
@testable import Metering
@testable import Platform

/// BL-2, BL-4: an issued bill is never edited; a credit note cancels it, numbered in its own
/// gapless series, with one ledger entry, and the bill stops counting as owed.
@Suite("Credit notes (BL-2, BL-4)")
struct CreditNoteTests {
    static let day: TimeInterval = 86_400

    /// The demo town with one issued month; the body gets (db, a finance user, the first account's bill number).
    func withIssuedMonth(clock: any WallClock = SystemClock(), _ body: (Database, Int64, String) async throws -> Void) async throws {
        try await TestBilling.withBilling(clock: clock) { db, drafter, approver in
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            let number: String = try await db.query(
                "SELECT b.number FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.account_number = $1",
                [DemoAccounts.accounts[0].number]
            ).rows[0].decode("number")
            try await body(db, drafter, number)
        }
    }

    static func balance(_ db: Database, of account: String = DemoAccounts.accounts[0].number) async throws -> Int64 {
        try await db.query(
            "SELECT ab.balance FROM account_balances ab JOIN accounts a ON a.id = ab.account_id WHERE a.account_number = $1", [account]
        ).rows[0].decode("balance")
    }

    @Test("an issued bill is corrected by a credit note for its whole amount, never by editing it")
    func creditNoteCancelsABill() async throws {
        try await withIssuedMonth { db, finance, number in
            let before = try await Self.balance(db)
            let total: Int64 = try await db.query("SELECT total FROM bills WHERE number = $1", [number]).rows[0].decode("total")
            #expect(total > 0)
            let year = CalendarDay.current(db.clock).year
            let note = try await IssueCreditNote(database: db, settings: TestBilling.settings).run(
                billNumber: number.lowercased(), reason: "Meter was read on the wrong premise", by: finance)
            #expect(note.number == "CN-\(year)-000001")
            #expect(note.amount == Money(minorUnits: total))
            #expect(try await Self.balance(db) == before - total)
            #expect(try await countRows("ledger_entries WHERE kind = 'credit_note' AND amount = $1", db, [-total]) == 1)
            #expect(try await countRows("audit_log WHERE action = 'bill.credited'", db) == 1)
            // The bill itself is unchanged, and cannot be credited twice.
            #expect(try await db.query("SELECT total FROM bills WHERE number = $1", [number]).rows[0].decode("total", as: Int64.self) == total)
            await #expect(throws: IssueCreditNote.Refused.alreadyCredited(bill: number, by: note.number)) {
                try await IssueCreditNote(database: db, settings: TestBilling.settings).run(billNumber: number, reason: "Once more", by: finance)
            }
            // The next credit note takes the next number; the ledger still adds up.
            let other: String = try await db.query("SELECT number FROM bills WHERE number <> $1 ORDER BY number LIMIT 1", [number]).rows[0]
                .decode("number")
            let second = try await IssueCreditNote(database: db, settings: TestBilling.settings).run(
                billNumber: other, reason: "Tariff category was wrong", by: finance)
            #expect(second.number == "CN-\(year)-000002")
            let report = try await VerifyLedger(database: db).run()
            #expect(report.isSound, "\(report.problems)")
            // The database keeps credit notes as written.
            await #expect(throws: DatabaseError.self) { try await db.query("UPDATE credit_notes SET amount = 0") }
            await #expect(throws: DatabaseError.self) { try await db.query("DELETE FROM credit_notes") }
        }
    }

    @Test("a credit note needs a reason and a bill that exists; a refused one writes nothing")
    func refusedCreditNotesWriteNothing() async throws {
        try await withIssuedMonth { db, finance, number in
            let credit = IssueCreditNote(database: db, settings: TestBilling.settings)
            await #expect(throws: IssueCreditNote.Refused.reasonMissing) { try await credit.run(billNumber: number, reason: "  ok ", by: finance) }
            await #expect(throws: IssueCreditNote.Refused.reasonTooLong) {
                try await credit.run(billNumber: number, reason: String(repeating: "x", count: 501), by: finance)
            }
            await #expect(throws: IssueCreditNote.Refused.noSuchBill("MTL-1999-000001")) {
                try await credit.run(billNumber: "MTL-1999-000001", reason: "No such bill", by: finance)
            }
            let written = [
                try await countRows("credit_notes", db), try await countRows("bill_number_series WHERE prefix = 'CN'", db),
                try await countRows("ledger_entries WHERE kind = 'credit_note'", db),
            ]
            #expect(written == [0, 0, 0])
        }
    }

    @Test("a credited bill draws no late fee and puts no one on the defaulters list")
    func creditedBillsAreNotOwed() async throws {
        try await withIssuedMonth { db, finance, number in
            _ = try await IssueCreditNote(database: db, settings: TestBilling.settings).run(
                billNumber: number, reason: "Reading belonged to the neighbour", by: finance)
            // Something else is owed on the account, so only the credit note keeps the bill off the lists.
            let account: Int64 = try await db.query("SELECT account_id FROM bills WHERE number = $1", [number]).rows[0].decode("account_id")
            try await db.transaction { connection in
                try connection.execute(
                    "INSERT INTO ledger_entries (account_id, kind, amount, booked_at, note) VALUES ($1, 'adjustment', 5000, now(), 'Reconnection')",
                    [account])
                try connection.execute("UPDATE account_balances SET balance = balance + 5000 WHERE account_id = $1", [account])
            }
            let late = MovableClock(Date().addingTimeInterval(Double(TestBilling.settings.dueDays + 40) * Self.day))
            _ = try await ApplyLateFees(database: db, graceDays: 7, clock: late).run()
            #expect(
                try await countRows(
                    "ledger_entries e JOIN bills b ON b.id = e.bill_id WHERE e.kind = 'late_fee' AND b.number = $1", db, [number]) == 0)
            // The other accounts' unpaid bills are still charged: the pass itself ran.
            #expect(try await countRows("ledger_entries WHERE kind = 'late_fee'", db) > 0)
            let defaulters = try await Defaulters(database: db, clock: late).list(area: nil)
            #expect(!defaulters.rows.contains { $0.accountNumber == DemoAccounts.accounts[0].number })
            #expect(try await VerifyLedger(database: db).run().isSound)
        }
    }

    @Test("verify-ledger finds a credit note without its ledger entry, and a gap in credit note numbers")
    func verifyLedgerChecksCreditNotes() async throws {
        try await withIssuedMonth { db, finance, number in
            let bill = try await db.query("SELECT id, account_id FROM bills WHERE number = $1", [number]).rows[0]
            try await db.query(
                """
                INSERT INTO credit_notes (bill_id, account_id, number, amount, reason, issued_by, issued_at)
                VALUES ($1, $2, 'CN-2026-000002', 100, 'Written around the action', $3, now())
                """, [try bill.decode("id", as: Int64.self), try bill.decode("account_id", as: Int64.self), finance])
            try await db.query("INSERT INTO bill_number_series (prefix, year, last) VALUES ('CN', 2026, 2)")
            let problems = try await VerifyLedger(database: db).run().problems
            #expect(problems.contains { $0.contains("Credit note CN-2026-000002 has 0 ledger entries") })
            #expect(problems.contains { $0.contains("Numbers CN-2026") && $0.contains("gap") })
        }
    }

    @Test("a wrong reading is corrected, then the bill is credited and the month billed again from the corrected reading")
    func creditAndRebill() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            let months = TestBilling.recentMonths
            let account = DemoAccounts.accounts[0].number
            try await installMeter(db, account: account, daysAgo: 200, initial: 1_000)
            try await TestBilling.reading(db, account: account, value: 1_300, on: months[1].last)
            // Typed 1,500 where the meter showed 1,400.
            try await TestBilling.reading(db, account: account, value: 1_500, on: months[2].last)
            try await TestBilling.issue(months[2], db, drafter: drafter, approver: approver)
            let original = try await db.query(
                "SELECT b.number, b.units, b.total FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.account_number = $1", [account]
            ).rows[0]
            let number: String = try original.decode("number")
            #expect(try original.decode("units", as: Int64.self) == 200)
            let before = try await Self.balance(db)

            let reading: Int64 = try await db.query(
                "SELECT r.id FROM current_readings r JOIN accounts a ON a.id = r.account_id WHERE a.account_number = $1 AND r.read_on = $2::date",
                [account, months[2].last.description]
            ).rows[0].decode("id")
            _ = try await CorrectReading(database: db).correct(
                readingID: reading, value: 1_400, reason: "Digits swapped when typed", by: drafter, clientAddress: nil)
            let note = try await IssueCreditNote(database: db, settings: TestBilling.settings).run(
                billNumber: number, reason: "Reading corrected from 1500 to 1400", rebill: true, by: drafter)
            let replacement = try #require(note.replacement)
            let corrected = try await AccountBills(database: db).detail(number: replacement.number)
            #expect(corrected.summary.units == 100)
            #expect(corrected.closingValue == 1_400)
            #expect(corrected.replaces?.number == number)
            #expect(corrected.replaces?.creditNote == note.number)
            #expect(replacement.total < note.amount)
            #expect(try await Self.balance(db) == before - note.amount.minorUnits + replacement.total.minorUnits)
            let report = try await VerifyLedger(database: db).run()
            #expect(report.isSound, "\(report.problems)")
            // The premise lists both: the cancelled bill and the one that stands.
            let grant = PremiseAccess.Grant(
                accountID: try await db.query("SELECT id FROM accounts WHERE account_number = $1", [account]).rows[0].decode("id"),
                accountNumber: account, supplyAddress: "", isOwner: true, from: nil, to: nil)
            let listed = try await AccountBills(database: db).overview(grant).bills
            #expect(listed.map(\.number).sorted() == [number, replacement.number].sorted())
            #expect(listed.first { $0.number == number }?.creditNote == note.number)
        }
    }

    @Test("a bill under a later month's bill is neither credited nor billed again until the later one is credited")
    func noRebillBehindALaterMonth() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            let months = TestBilling.recentMonths
            try await TestBilling.issue(months[1], db, drafter: drafter, approver: approver)
            try await TestBilling.issue(months[2], db, drafter: drafter, approver: approver)
            let older: String = try await db.query(
                "SELECT b.number FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.account_number = $1 AND b.period = $2::date",
                [DemoAccounts.accounts[0].number, months[1].first.description]
            ).rows[0].decode("number")
            let credit = IssueCreditNote(database: db, settings: TestBilling.settings)
            for rebill in [true, false] {
                await #expect(throws: IssueCreditNote.Refused.laterMonthBilled(months[2])) {
                    try await credit.run(billNumber: older, reason: "Wrong reading", rebill: rebill, by: drafter)
                }
            }
            let notes = try await countRows("credit_notes", db)
            #expect(notes == 0)
            // The latest first, then the one under it, billed again.
            let newer: String = try await db.query(
                "SELECT b.number FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.account_number = $1 AND b.period = $2::date",
                [DemoAccounts.accounts[0].number, months[2].first.description]
            ).rows[0].decode("number")
            _ = try await credit.run(billNumber: newer, reason: "Wrong reading", by: drafter)
            let note = try await credit.run(billNumber: older, reason: "Wrong reading", rebill: true, by: drafter)
            #expect(note.replacement != nil)
            #expect(try await VerifyLedger(database: db).run().isSound)
        }
    }

    @Test("crediting a bill reverses the late fee charged on it")
    func creditReversesTheLateFee() async throws {
        let late = MovableClock(Date().addingTimeInterval(Double(TestBilling.settings.dueDays + 10) * Self.day))
        try await withIssuedMonth { db, finance, number in
            #expect(try await ApplyLateFees(database: db, graceDays: 7, clock: late).run() > 0)
            let fee: Int64 = try await db.query(
                "SELECT e.amount FROM ledger_entries e JOIN bills b ON b.id = e.bill_id WHERE e.kind = 'late_fee' AND b.number = $1", [number]
            ).rows[0].decode("amount")
            let before = try await Self.balance(db)
            let note = try await IssueCreditNote(database: db, settings: TestBilling.settings, clock: late).run(
                billNumber: number, reason: "Billed to the wrong account", by: finance)
            #expect(try await Self.balance(db) == before - note.amount.minorUnits - fee)
            #expect(try await countRows("ledger_entries WHERE kind = 'reversal' AND amount = $1", db, [-fee]) == 1)
            #expect(try await VerifyLedger(database: db).run().isSound)
        }
    }
}
