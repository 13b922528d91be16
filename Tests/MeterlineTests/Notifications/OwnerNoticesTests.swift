import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Accounts
@testable import Billing
@testable import Identity
@testable import Notifications
@testable import Payments
@testable import Platform
@testable import Web

/// NT-2: the consumer chooses SMS, email or both per kind of message; messages follow the choice.
@Suite("Message choices (NT-2)")
struct OwnerNoticesTests {
    @Test("a consumer chooses email for receipts once the address is verified, and the next receipt comes by email only")
    func receiptsFollowTheChoice() async throws {
        try await withMember { browser, db in
            try await browser.get("/login")
            try await browser.post("/login", [("login", Member.username), ("password", Member.password)])
            let settings = try await browser.get(Routes.site.accountSettings.url()).text
            #expect(settings.contains("Payment receipts"))
            #expect(settings.contains("name=\"payment_receipt\" value=\"sms\" checked"))

            let refused = try await browser.post(Routes.site.accountMessages.url(), [("payment_receipt", "email")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("Verify your email address first"))
            #expect(try await browser.post(Routes.site.accountMessages.url(), [("payment_receipt", "by pigeon")]).status == .badRequest)

            try await db.query("UPDATE users SET email_verified_at = now() WHERE username = $1", [Member.username])
            let saved = try await browser.post(Routes.site.accountMessages.url(), [("payment_receipt", "email"), ("new_bill", "both")])
            #expect(saved.status == .ok)
            #expect(saved.text.contains("Saved: we will tell you as you chose."))
            #expect(saved.text.contains("name=\"payment_receipt\" value=\"email\" checked"))
            #expect(saved.text.contains("name=\"new_bill\" value=\"both\" checked"))

            // A payment credited now: its receipt goes to the verified address, not by SMS.
            let staff = try await db.query(
                """
                INSERT INTO users (username, full_name, password_hash, kind, roles, status)
                VALUES ('una.finance', 'Una', '$argon2id$placeholder', 'staff', '{finance}', 'active'),
                       ('vic.finance', 'Vic', '$argon2id$placeholder', 'staff', '{finance}', 'active') RETURNING id
                """
            ).rows.map { try $0.decode("id", as: Int64.self) }
            let office = OfficePayments(database: db, settings: PaymentSettings())
            let payment = try await office.record(
                accountNumber: DemoAccounts.accounts[0].number, amount: "10", method: "office", reference: "Counter 4", by: staff[0],
                clientAddress: nil)
            _ = try await office.verify(payment.id, by: staff[1], clientAddress: nil)
            let sent = try await db.query("SELECT channel, recipient FROM notifications WHERE purpose = 'payment_receipt'").rows.map {
                (try $0.decode("channel", as: String.self), try $0.decode("recipient", as: String.self))
            }
            #expect(sent.map(\.0) == ["email"])
            #expect(sent.map(\.1) == [Member.email])
        }
    }
}
