import Foundation
import Testing

@testable import Accounts
@testable import Billing
@testable import Payments
@testable import Platform

/// The demo town's payments keep the ledger sound and leave a town that mostly pays.
@Suite("Demo payments (BL-5)")
struct DemoPaymentsTests {
    @Test("the demo's payments are receipted without gaps, sum to the balances, and a second seed adds none")
    func demoPaymentsKeepTheLedgerSound() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            for month in TestBilling.recentMonths {
                try await TestBilling.issue(month, db, drafter: drafter, approver: approver)
            }
            let demo = DemoPayments(database: db, settings: PaymentSettings())
            let made = try await demo.seed(recordedBy: approver, verifiedBy: drafter)
            #expect(made > 0)
            #expect(try await demo.seed(recordedBy: approver, verifiedBy: drafter) == 0)
            let report = try await VerifyLedger(database: db).run()
            #expect(report.problems.isEmpty, "\(report.problems)")
            // Whoever pays every bill in full owes nothing but, at most, the latest bill.
            let paid = try await db.query(
                """
                SELECT count(*) FILTER (WHERE ab.balance <= 0) AS settled, count(*) AS accounts FROM account_balances ab
                """
            ).rows[0]
            #expect(try paid.decode("settled", as: Int.self) > 0)
            #expect(try paid.decode("settled", as: Int.self) < paid.decode("accounts", as: Int.self) + 1)
        }
    }
}
