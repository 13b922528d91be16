import Foundation
import Testing

@testable import Accounts
@testable import Billing
@testable import Payments
@testable import Platform

/// BL-9 over many accounts: the reports read totals kept as ledger entries are written, and
/// `verify-ledger` holds them to the entries.
@Suite("Report totals kept with the ledger (BL-9)")
struct ReportTotalsTests {
    @Test("a month's bills, a credit note and a payment move the reports' totals at once, and verify-ledger finds an altered total")
    func totalsKeptAsWritten() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            let month = TestBilling.recentMonths[2]
            try await TestBilling.issue(month, db, drafter: drafter, approver: approver)
            let reports = FinanceReports(database: db)
            let billed: Int64 = try await db.query("SELECT sum(total) AS s FROM bills WHERE number IS NOT NULL").rows[0].decode("s")
            let units: Int64 = try await db.query("SELECT sum(units) AS s FROM bills WHERE number IS NOT NULL").rows[0].decode("s")
            let issued = try #require(try await reports.billedAndCollected().first { $0.period == month })
            #expect(issued.bills == DemoAccounts.accounts.count && issued.billed == Money(minorUnits: billed) && issued.credited == .zero)
            let usage = try await reports.usage(in: month)
            #expect(usage.byCategory.map(\.revenue).sum() == issued.billed && usage.byArea.map(\.revenue).sum() == issued.billed)
            #expect(usage.byArea.map(\.units).reduce(0, +) == units)

            // A bill credited leaves the month's standing bills and revenue; a payment is collected this month.
            let credited: (number: String, total: Int64, units: Int64) = try await {
                let row = try await db.query("SELECT number, total, units FROM bills WHERE number IS NOT NULL ORDER BY id LIMIT 1").rows[0]
                return (try row.decode("number"), try row.decode("total"), try row.decode("units"))
            }()
            _ = try await IssueCreditNote(database: db, settings: TestBilling.settings).run(
                billNumber: credited.number, reason: "Meter was read on the wrong premise", by: approver)
            let office = OfficePayments(database: db, settings: PaymentSettings())
            let payment = try await office.record(
                accountNumber: DemoAccounts.accounts[1].number, amount: "12.34", method: "office", reference: "Counter 1", by: drafter,
                clientAddress: nil)
            _ = try await office.verify(payment.id, by: approver, clientAddress: nil)

            let months = try await reports.billedAndCollected()
            let after = try #require(months.first { $0.period == month })
            #expect(after.bills == issued.bills - 1 && after.billed == issued.billed && after.credited == Money(minorUnits: credited.total))
            #expect(months.map(\.collected).sum() == Money(minorUnits: 1234))
            let usageAfter = try await reports.usage(in: month)
            #expect(usageAfter.byCategory.map(\.revenue).sum() == Money(minorUnits: billed - credited.total))
            #expect(usageAfter.byCategory.map(\.units).reduce(0, +) == units - credited.units)
            #expect(usageAfter.byCategory.map(\.accounts).reduce(0, +) == issued.bills - 1)
            let sound = try await VerifyLedger(database: db).run()
            #expect(sound.isSound, "\(sound.problems)")

            // A total that is not its entries' sum is named.
            try await db.query("UPDATE ledger_month_totals SET amount = amount - 1 WHERE kind = 'payment'")
            try await db.query("UPDATE bill_period_totals SET units = units + 1 WHERE ctid = (SELECT min(ctid) FROM bill_period_totals)")
            let problems = try await VerifyLedger(database: db).run().problems
            #expect(problems.contains { $0.hasPrefix("The payment total of") }, "\(problems)")
            #expect(problems.contains { $0.hasPrefix("The bills of \(month.description)") }, "\(problems)")
        }
    }
}
