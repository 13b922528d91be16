import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import Accounts
@testable import Billing
@testable import Identity
@testable import Payments
@testable import Platform
@testable import Web

/// BL-5 through the web: the consumer pays on the sandbox gateway's page; the money counts when
/// the gateway's webhook, posted over HTTP to the running server, arrives; finance records and
/// verifies office payments.
@Suite("Payment pages (BL-5)")
struct PaymentPagesTests {
    /// Runs the site on `port` (where the public URL points) while `body` runs.
    static func withServer(config: AppConfig, db: Database, _ body: () async throws -> Void) async throws {
        var logger = Logger(label: "payment-server")
        logger.logLevel = .warning
        let services = try await AppServices.make(config: config, database: db, logger: logger)
        let server = Application(
            router: try buildRouter(services: services), configuration: .init(address: .hostname("127.0.0.1", port: config.port)), logger: logger)
        let task = Task { try await server.runService() }
        // Until it answers: the server binds in the background.
        var up = false
        for _ in 0..<100 where !up {
            up = (try? await HTTPClient.shared.execute(HTTPClientRequest(url: "\(config.publicURL)/healthz"), timeout: .seconds(1)))?.status == .ok
            if !up { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(up)
        do {
            try await body()
        } catch {
            task.cancel()
            throw error
        }
        task.cancel()
        _ = await task.result
        await services.shutdown()
    }

    static func path(_ location: String?) -> String {
        guard let location, let url = URL(string: location) else { return "" }
        return url.query.map { url.path + "?" + $0 } ?? url.path
    }

    @Test("a consumer pays the balance on the gateway's page and sees the receipt once the signed webhook arrives")
    func consumerPaysOnline() async throws {
        let port = try freePort()
        var live = TestApp.config(publicURL: "http://127.0.0.1:\(port)")
        live.port = port
        let config = live
        try await withMember(config: config) { browser, db in
            try await TestBilling.seedTariffs(db)
            let (drafter, approver) = try await TestBilling.financeStaff(db)
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            let account = DemoAccounts.accounts[0].number
            let owed = try await db.query(
                "SELECT balance FROM account_balances ab JOIN accounts a ON a.id = ab.account_id WHERE a.account_number = $1", [account]
            ).rows[0].decode("balance", as: Int64.self)
            let owedText = Currency.poundSterling.format(Money(minorUnits: owed))

            try await browser.get("/login")
            try await browser.post("/login", [("login", Member.username), ("password", Member.password)])
            let home = try await browser.get(Routes.site.account.url()).text
            #expect(home.contains("Pay \(owedText) now"))
            #expect(try await browser.get(Routes.site.premise.url(account)).text.contains("<td class=\"bill-status\">To pay</td>"))

            // A wrong amount is named next to the field, with what was typed.
            for (typed, message) in [
                ("twelve", "Enter the amount as a number"), ("0", "Enter an amount above zero"), ("", "Enter the amount to pay"),
            ] {
                let refused = try await browser.post(Routes.site.pay.url(account), [("amount", typed)])
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains(message))
                #expect(refused.text.contains("aria-invalid=\"true\""))
            }
            // Another consumer's account cannot be paid from here.
            #expect(try await browser.post(Routes.site.pay.url(DemoAccounts.accounts[1].number), [("amount", "5")]).status == .notFound)

            try await Self.withServer(config: config, db: db) {
                let started = try await browser.post(
                    Routes.site.pay.url(account), [("amount", Currency.poundSterling.plain(Money(minorUnits: owed)))])
                #expect(started.status == .seeOther)
                let checkoutPage = try #require(started.headers[.location])
                #expect(checkoutPage.hasPrefix("/sandbox-gateway/chk_"))
                let page = try await browser.get(checkoutPage)
                #expect(page.text.contains("Pay \(owedText)"))
                #expect(page.text.contains("4242 4242 4242 4242"))

                let wrongCard = try await browser.post(checkoutPage, [("card", "1234 5678")])
                #expect(wrongCard.status == .unprocessableContent)
                #expect(wrongCard.text.contains("use one of the test card numbers"))

                // Paid: the gateway posts its signed webhook to the server, then sends the browser back.
                let paid = try await browser.post(checkoutPage, [("card", "4242 4242 4242 4242")])
                #expect(paid.status == .seeOther)
                let receipt = try await browser.get(Self.path(paid.headers[.location]))
                #expect(receipt.status == .ok)
                #expect(receipt.text.contains("Payment received"))
                #expect(receipt.text.contains("RC-"))
                #expect(receipt.text.contains("What it paid"))
                let balance = try await db.query(
                    "SELECT balance FROM account_balances ab JOIN accounts a ON a.id = ab.account_id WHERE a.account_number = $1", [account]
                ).rows[0].decode("balance", as: Int64.self)
                #expect(balance == 0)
                #expect(!(try await browser.get(Routes.site.account.url()).text.contains("Pay \(owedText) now")))
                // The premise page says the bill is paid, and lists the payment.
                let premise = try await browser.get(Routes.site.premise.url(account)).text
                #expect(premise.contains("<td class=\"bill-status\">Paid</td>"))
                #expect(premise.contains("· \(owedText) · Online · Paid"))

                // Declined: nothing is taken, and the page says so.
                let second = try await browser.post(Routes.site.pay.url(account), [("amount", "5.00")])
                let secondPage = try #require(second.headers[.location])
                try await browser.get(secondPage)
                let declined = try await browser.post(secondPage, [("card", SandboxCheckouts.declined)])
                let failed = try await browser.get(Self.path(declined.headers[.location]))
                #expect(failed.text.contains("The payment did not go through"))
                #expect(failed.text.contains("Your card was declined."))

                // Pending: the page waits (and looks again by itself) until the later webhook.
                let third = try await browser.post(Routes.site.pay.url(account), [("amount", "7.00")])
                let thirdPage = try #require(third.headers[.location])
                try await browser.get(thirdPage)
                let pending = try await browser.post(thirdPage, [("card", SandboxCheckouts.pendingThenSucceeds)])
                let waiting = try await browser.get(Self.path(pending.headers[.location]))
                #expect(waiting.text.contains("Waiting for the payment service"))
                #expect(waiting.text.contains("http-equiv=\"refresh\""))
            }
            // Someone else's payment page is not found, as one that does not exist.
            let otherPayment = try await OfficePayments(database: db, settings: PaymentSettings()).record(
                accountNumber: DemoAccounts.accounts[1].number, amount: "9.00", method: "office", reference: "Slip 9", by: drafter,
                clientAddress: nil)
            #expect(try await browser.get(Routes.site.payment.url(String(otherPayment.id))).status == .notFound)
            #expect(try await browser.get(Routes.site.payment.url(String(otherPayment.id + 100))).status == .notFound)
            #expect(try await browser.get("/account/payments/abc").status == .notFound)
        }
    }

    @Test("the webhook refuses a callback without a good signature with 401 and stores nothing")
    func webhookRefusesUnsignedCallbacks() async throws {
        try await withMember { browser, db in
            let body = ByteBuffer(string: #"{"id":"evt_1","type":"payment.succeeded","checkout":"chk_x","amount":100,"currency":"GBP","created":1}"#)
            let unsigned = try await browser.client.execute(
                uri: Routes.site.paymentWebhook.url(), method: .post, headers: [.contentType: "application/json"], body: body)
            #expect(unsigned.status == .unauthorized)
            #expect(unsigned.headers[.contentType] == "application/problem+json")
            #expect(String(buffer: unsigned.body).contains("no Payment-Signature"))
            let forged = try await browser.client.execute(
                uri: Routes.site.paymentWebhook.url(), method: .post,
                headers: [.contentType: "application/json", .init(WebhookSignature.header)!: "t=1,v1=00"], body: body)
            #expect(forged.status == .unauthorized)
            let events = try await db.query("SELECT 1 FROM payment_events").rows
            #expect(events.isEmpty)
        }
    }

    @Test("finance records an office payment; the same user cannot verify it, a second one can; bad input is named by field")
    func financeRecordsAndVerifies() async throws {
        try await withStaff([.finance], username: "fred.finance") { browser, db, services in
            let account = DemoAccounts.accounts[0].number
            let index = try await browser.get(Routes.site.financePayments.url())
            #expect(index.status == .ok)
            #expect(index.text.contains("Nothing is waiting"))

            let bad = try await browser.post(
                Routes.site.financePayments.url(), [("account", "000"), ("amount", "12"), ("method", "office"), ("reference", "Slip 1")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("No account has the number 000"))
            let badAmount = try await browser.post(
                Routes.site.financePayments.url(), [("account", account), ("amount", "1.234"), ("method", "office"), ("reference", "Slip 1")])
            #expect(badAmount.text.contains("with at most 2 decimals"))
            let noMethod = try await browser.post(
                Routes.site.financePayments.url(), [("account", account), ("amount", "12"), ("reference", "Slip 1")])
            #expect(noMethod.text.contains("Choose how the consumer paid"))
            #expect(noMethod.text.contains("value=\"Slip 1\""))

            let recorded = try await browser.post(
                Routes.site.financePayments.url(), [("account", account), ("amount", "12.50"), ("method", "bank_transfer"), ("reference", "TRF 778")])
            #expect(recorded.status == .seeOther)
            let listed = try await browser.get(Routes.site.financePayments.url()).text
            #expect(listed.contains("£12.50"))
            #expect(listed.contains("by you"))
            let id = try await db.query("SELECT id FROM payments").rows[0].decode("id", as: Int64.self)
            let own = try await browser.get(Routes.site.financePayment.url(String(id))).text
            #expect(own.contains("You recorded this payment"))
            let refused = try await browser.post(Routes.site.financePaymentVerify.url(String(id)))
            #expect(refused.status == .conflict)
            #expect(refused.text.contains("a second finance user verifies it"))

            // One another finance user recorded, this one verifies on its page: credited, with a receipt.
            let (other, _) = try await TestBilling.financeStaff(db)
            let theirs = try await OfficePayments(database: db, settings: services.config.payments).record(
                accountNumber: account, amount: "30", method: "office", reference: "Counter 2", by: other, clientAddress: nil)
            let page = try await browser.get(Routes.site.financePayment.url(String(theirs.id)))
            #expect(page.text.contains("The money arrived: verify"))
            let noReason = try await browser.post(Routes.site.financePaymentReject.url(String(theirs.id)), [("reason", " ")])
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.text.contains("Say why the payment is rejected"))
            let verified = try await browser.post(Routes.site.financePaymentVerify.url(String(theirs.id)))
            #expect(verified.status == .seeOther)
            let receipt = try await browser.get(try #require(verified.headers[.location])).text
            #expect(receipt.contains("Payment received"))
            #expect(receipt.contains("Verified: £30.00 is credited to account \(account), receipt RC-"))
            #expect(try await db.query("SELECT 1 FROM audit_log WHERE action = 'payment.verified'").rows.count == 1)
        }
    }
}
