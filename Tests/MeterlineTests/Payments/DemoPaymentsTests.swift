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
            // Whoever pays every bill in full owes at most the latest bill; one in 25 pays 60% of each
            // and so owes more than that; one in 25 pays nothing.
            let rows = try await db.query(
                """
                SELECT ab.account_id % 25 AS kind, ab.balance, sum(b.total) AS billed,
                       (SELECT total FROM bills l WHERE l.account_id = ab.account_id ORDER BY period DESC LIMIT 1) AS latest
                FROM account_balances ab JOIN bills b ON b.account_id = ab.account_id GROUP BY ab.account_id, ab.balance
                """
            ).rows
            #expect(!rows.isEmpty)
            for row in rows {
                let (kind, balance, billed, latest): (Int64, Int64, Int64, Int64) = (
                    try row.decode("kind"), try row.decode("balance"), try row.decode("billed"), try row.decode("latest")
                )
                switch kind {
                case 0: #expect(balance == billed)
                case 1: #expect(balance > latest && balance < billed)
                default: #expect(balance >= 0 && balance <= latest)
                }
            }
        }
    }
}
