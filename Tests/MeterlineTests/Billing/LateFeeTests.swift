import Foundation
import Testing

@testable import Accounts
@testable import Billing
@testable import Identity
@testable import Metering
@testable import Payments
@testable import Platform

/// BL-6: late fees once per bill after due date and grace, never on a disputed bill; the
/// defaulters list ages what is overdue.
@Suite("Late fees and defaulters (BL-6)")
struct LateFeeTests {
    static let day: TimeInterval = 86_400

    @Test("a late fee is charged once per overdue bill, after the grace days, never on a disputed bill")
    func lateFeeOncePerBill() async throws {
        try await withTestDatabase { db in
            try await DemoAccounts.seed(db)
            try await TestBilling.seedTariffs(db)
            let (drafter, approver) = try await TestBilling.financeStaff(db)
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            let disputed = try await db.query(
                "UPDATE bills SET disputed = true WHERE id = (SELECT min(id) FROM bills) RETURNING id"
            ).rows[0].decode("id", as: Int64.self)
            let billed = try await countRows("bills WHERE total > 0", db)
            // On the due date plus the grace days nothing is late yet; a day later everything is.
            let clock = MovableClock(Date().addingTimeInterval(Double(TestBilling.settings.dueDays + 7) * Self.day))
            let fees = ApplyLateFees(database: db, graceDays: 7, clock: clock)
            #expect(try await fees.run() == 0)
            clock.advance(by: Self.day)
            #expect(try await fees.run() == billed - 1)
            #expect(try await fees.run() == 0)
            #expect(try await countRows("ledger_entries WHERE kind = 'late_fee' AND bill_id = $1", db, [disputed]) == 0)
            // The demo tariffs: £5.00 for a home, 2% of the bill for business.
            let home = try await db.query(
                """
                SELECT e.amount FROM ledger_entries e JOIN bills b ON b.id = e.bill_id JOIN accounts a ON a.id = b.account_id
                WHERE e.kind = 'late_fee' AND a.category = 'residential' LIMIT 1
                """
            ).rows[0].decode("amount", as: Int64.self)
            #expect(home == 500)
            #expect(try await VerifyLedger(database: db).run().isSound)
        }
    }

    @Test("a bill paid on time gets no late fee, though a newer bill leaves the account owing")
    func paidBillHasNoLateFee() async throws {
        try await withTestDatabase { db in
            try await DemoAccounts.seed(db)
            try await TestBilling.seedTariffs(db)
            let (drafter, approver) = try await TestBilling.financeStaff(db)
            let months = TestBilling.recentMonths
            try await TestBilling.issue(months[1], db, drafter: drafter, approver: approver)
            // Every account pays its first bill in full at the office, then gets the next one.
            let office = OfficePayments(database: db, settings: PaymentSettings())
            for row in try await db.query("SELECT a.account_number, b.total FROM bills b JOIN accounts a ON a.id = b.account_id").rows {
                let payment = try await office.record(
                    accountNumber: try row.decode("account_number"), amount: Currency.poundSterling.plain(Money(minorUnits: try row.decode("total"))),
                    method: "office", reference: "Counter 1", by: drafter, clientAddress: nil)
                _ = try await office.verify(payment.id, by: approver, clientAddress: nil)
            }
            try await TestBilling.issue(months[2], db, drafter: drafter, approver: approver)
            let clock = MovableClock(Date().addingTimeInterval(Double(TestBilling.settings.dueDays + 8) * Self.day))
            let charged = try await ApplyLateFees(database: db, graceDays: 7, clock: clock).run()
            #expect(charged == (try await countRows("bills WHERE period = $1::date AND total > 0", db, [months[2].first.description])))
            #expect(
                try await countRows(
                    "ledger_entries e JOIN bills b ON b.id = e.bill_id WHERE e.kind = 'late_fee' AND b.period = $1::date", db,
                    [months[1].first.description]) == 0)
            #expect(try await VerifyLedger(database: db).run().isSound)
        }
    }

    @Test("late fees are charged a batch at a time; a first batch of bills all paid does not end the pass")
    func lateFeesInBatches() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            // The first two bills (the first batch of two) are paid in full at the office.
            let office = OfficePayments(database: db, settings: PaymentSettings())
            let paid = try await db.query(
                "SELECT a.account_number, b.total FROM bills b JOIN accounts a ON a.id = b.account_id WHERE b.total > 0 ORDER BY b.id LIMIT 2"
            ).rows
            for row in paid {
                let payment = try await office.record(
                    accountNumber: try row.decode("account_number"), amount: Currency.poundSterling.plain(Money(minorUnits: try row.decode("total"))),
                    method: "office", reference: "Counter 1", by: drafter, clientAddress: nil)
                _ = try await office.verify(payment.id, by: approver, clientAddress: nil)
            }
            let clock = MovableClock(Date().addingTimeInterval(Double(TestBilling.settings.dueDays + 8) * Self.day))
            let fees = ApplyLateFees(database: db, graceDays: 7, clock: clock, batchSize: 2)
            #expect(try await fees.run() == (try await countRows("bills WHERE total > 0", db)) - 2)
            #expect(try await fees.run() == 0)
            let report = try await VerifyLedger(database: db).run()
            #expect(report.isSound, "\(report.problems)")
        }
    }

    @Test("defaulters are the accounts owing on overdue bills, aged by how late each bill is")
    func defaultersAreAged() async throws {
        try await withTestDatabase { db in
            try await DemoAccounts.seed(db)
            try await TestBilling.seedTariffs(db)
            let (drafter, approver) = try await TestBilling.financeStaff(db)
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            let now = Defaulters(database: db)
            #expect(try await now.list(area: nil).count == 0, "nothing is due yet")
            // 40 days after the due date, every bill is in the 31–60 bucket.
            let later = Defaulters(database: db, clock: MovableClock(Date().addingTimeInterval(Double(TestBilling.settings.dueDays + 40) * Self.day)))
            let page = try await later.list(area: nil)
            #expect(page.count == DemoAccounts.accounts.count)
            #expect(page.rows.allSatisfy { $0.daysOverdue == 40 })
            #expect(page.totalAged[1] == page.totalOwed)
            #expect(page.totalAged[0] == .zero && page.totalAged[2] == .zero && page.totalAged[3] == .zero)
            let eastholm = try await later.list(area: "Eastholm")
            #expect(eastholm.rows.allSatisfy { $0.area == "Eastholm" } && eastholm.count > 0 && eastholm.count < page.count)
            // A disputed bill takes its account off the list.
            try await db.query(
                "UPDATE bills SET disputed = true WHERE account_id = (SELECT id FROM accounts WHERE account_number = $1)",
                [DemoAccounts.accounts[0].number])
            #expect(try await later.list(area: nil).count == DemoAccounts.accounts.count - 1)
        }
    }
}

/// NT-2: the reminder three days before a bill is due.
@Suite("Due-date reminders (NT-2)")
struct DueReminderTests {
    @Test("three days before the due date the owner is reminded once of what is unpaid; a paid or disputed bill is not")
    func remindedOnceWhenUnpaid() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            let accounts = DemoAccounts.accounts
            for (index, account) in accounts.prefix(3).enumerated() {
                try await db.query(
                    """
                    INSERT INTO users (username, full_name, password_hash, kind, status, account_id, mobile, mobile_verified_at)
                    SELECT $1, 'Owner', '$argon2id$placeholder', 'consumer', 'active', id, $2, now() FROM accounts WHERE account_number = $3
                    """, ["owner.\(index)", account.mobile, account.number])
            }
            let bills = try await db.query(
                "SELECT a.account_number, a.id AS account, b.number, b.total, b.due_on::text AS due_on FROM bills b JOIN accounts a ON a.id = b.account_id"
            ).rows.reduce(into: [String: (Int64, String, Int64, String)]()) {
                $0[try $1.decode("account_number")] = (
                    try $1.decode("account"), try $1.decode("number"), try $1.decode("total"), try $1.decode("due_on")
                )
            }
            // The second account paid; the third disputed its bill.
            let paid = try #require(bills[accounts[1].number])
            let office = OfficePayments(database: db, settings: PaymentSettings())
            let payment = try await office.record(
                accountNumber: accounts[1].number, amount: Currency.poundSterling.plain(Money(minorUnits: paid.2)), method: "office",
                reference: "Counter 3", by: drafter, clientAddress: nil)
            _ = try await office.verify(payment.id, by: approver, clientAddress: nil)
            let disputed = try #require(bills[accounts[2].number])
            _ = try await OpenDispute(database: db).run(
                billNumber: disputed.1, accountID: disputed.0, reason: "This bill is far too high for us", reading: "", by: drafter)

            let dueNoon = try #require(PostgresTimestamp.parse("\(bills[accounts[0].number]!.3) 12:00:00+00"))
            let fourDaysBefore = MovableClock(dueNoon.addingTimeInterval(-4 * 86_400))
            #expect(try await SendDueReminders(database: db, currency: .poundSterling, clock: fourDaysBefore).run() == 0)
            let threeDaysBefore = MovableClock(dueNoon.addingTimeInterval(-3 * 86_400))
            let reminders = SendDueReminders(database: db, currency: .poundSterling, clock: threeDaysBefore)
            let reminded = try await reminders.run()
            #expect(reminded == accounts.count - 2)
            #expect(try await reminders.run() == 0)
            let texts = try await db.query("SELECT recipient, body FROM notifications WHERE purpose = 'due_reminder'").rows.map {
                (try $0.decode("recipient", as: String.self), try $0.decode("body", as: String.self))
            }
            #expect(texts.map(\.0) == [accounts[0].mobile])
            let first = try #require(bills[accounts[0].number])
            #expect(
                texts.first?.1.hasPrefix("Meterline: \(Currency.poundSterling.format(Money(minorUnits: first.2))) of bill \(first.1) is due on")
                    == true)
        }
    }
}
