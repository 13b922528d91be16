import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Accounts
@testable import Billing
@testable import Identity
@testable import Platform
@testable import Web

/// BL-7 through the web: the owner disputes a bill on its page and follows each step there;
/// finance works the queue.
@Suite("Dispute pages (BL-7)")
struct DisputePagesTests {
    @Test("the owner disputes a bill on its page, wrong input is named by field, and finance's answer shows there")
    func ownerDisputesABill() async throws {
        try await withMember { browser, db in
            try await TestBilling.seedTariffs(db)
            let (drafter, approver) = try await TestBilling.financeStaff(db)
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            let number = try await db.query(
                "SELECT b.number FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.account_number = $1", [DemoAccounts.accounts[0].number]
            ).rows[0].decode("number", as: String.self)
            try await browser.get("/login")
            try await browser.post("/login", [("login", Member.username), ("password", Member.password)])
            let page = try await browser.get(Routes.site.bill.url(number)).text
            #expect(page.contains("Something wrong with this bill?"))

            let bad = try await browser.post(Routes.site.billDispute.url(number), [("reason", "wrong"), ("reading", "lots")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("Tell us what is wrong with the bill"))
            #expect(bad.text.contains("Type the reading as the whole number"))
            #expect(bad.text.contains(">wrong</textarea>"))

            let sent = try await browser.post(
                Routes.site.billDispute.url(number), [("reason", "We were away all month and the house was empty."), ("reading", "1234")])
            #expect(sent.status == .seeOther)
            let disputed = try await browser.get(Routes.site.bill.url(number)).text
            #expect(disputed.contains("Your dispute is with finance"))
            #expect(disputed.contains("Finance is looking into it"))
            #expect(!disputed.contains("Something wrong with this bill?"))

            let id = try await db.query("SELECT id FROM disputes").rows[0].decode("id", as: Int64.self)
            _ = try await DecideDispute(database: db, settings: TestBilling.settings).reject(
                id, reason: "The meter was read on the last day of the month.", by: approver, clientAddress: nil)
            let answered = try await browser.get(Routes.site.bill.url(number)).text
            #expect(answered.contains("Not upheld on"))
            #expect(answered.contains("The meter was read on the last day of the month."))
            // Another account's bill cannot be disputed from here.
            let other = try await db.query(
                "SELECT b.number FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.account_number = $1", [DemoAccounts.accounts[1].number]
            ).rows[0].decode("number", as: String.self)
            #expect(try await browser.post(Routes.site.billDispute.url(other), [("reason", "Not mine but let me try")]).status == .notFound)
        }
    }

    @Test("finance sees the queue, cannot decide without a reason, and upholds a dispute with a new bill")
    func financeWorksTheQueue() async throws {
        try await withStaff([.finance], username: "fred.finance") { browser, db, services in
            try await TestBilling.seedTariffs(db)
            let (drafter, approver) = try await TestBilling.financeStaff(db)
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            let row = try await db.query(
                "SELECT a.id, b.number FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.account_number = $1",
                [DemoAccounts.accounts[0].number]
            ).rows[0]
            let number: String = try row.decode("number")
            #expect(try await browser.get(Routes.site.disputes.url()).text.contains("No bill is disputed"))
            let id = try await OpenDispute(database: db).run(
                billNumber: number, accountID: try row.decode("id"), reason: "The reading is not my meter's reading.", reading: "999", by: drafter)
            let queue = try await browser.get(Routes.site.disputes.url()).text
            #expect(queue.contains(number))
            let detail = try await browser.get(Routes.site.dispute.url(String(id))).text
            #expect(detail.contains("The reading is not my meter&#39;s reading."))
            #expect(detail.contains("Consumer reads"))

            let noReason = try await browser.post(Routes.site.disputeResolve.url(String(id)), [("reason", "")])
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.text.contains("Say why, in a few words"))
            let upheld = try await browser.post(
                Routes.site.disputeResolve.url(String(id)), [("reason", "Read at the wrong premise."), ("rebill", "yes")])
            #expect(upheld.status == .seeOther)
            let after = try await browser.get(Routes.site.disputes.url()).text
            #expect(after.contains("upheld: credit note CN-"))
            #expect(after.contains("new bill MTL-"))
            #expect(try await VerifyLedger(database: db).run().isSound)
        }
    }
}
