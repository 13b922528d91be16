import Foundation
import Prepaid
import Testing

@testable import Accounts
@testable import Billing
@testable import Identity
@testable import Payments
@testable import Platform

/// BL-5: money counts only from a verified callback or a second finance user; it settles the
/// oldest bills first; a chargeback reopens them; the ledger stays sound throughout.
@Suite("Payments (BL-5)")
struct PaymentTests {
    static let secret = Array("the sandbox gateway's test secret, 32+ chars".utf8)
    static let settings = PaymentSettings()

    /// Three months issued for the demo town; the first demo account's owner can pay.
    static func withBills(_ body: (Database, MovableClock, Fixture) async throws -> Void) async throws {
        let clock = MovableClock()
        try await TestBilling.withBilling(clock: clock) { db, drafter, approver in
            for month in TestBilling.recentMonths {
                try await TestBilling.issue(month, db, drafter: drafter, approver: approver)
            }
            let account = DemoAccounts.accounts[0]
            let accountID = try await db.query("SELECT id FROM accounts WHERE account_number = $1", [account.number]).rows[0].decode(
                "id", as: Int64.self)
            let consumer = try await db.query(
                """
                INSERT INTO users (username, full_name, password_hash, kind, status, account_id, mobile, mobile_verified_at)
                VALUES ('pat.payer', 'Pat Payer', '$argon2id$placeholder', 'consumer', 'active', $1, $2, now()) RETURNING id
                """, [accountID, account.mobile]
            ).rows[0].decode("id", as: Int64.self)
            let bills = try await db.query(
                "SELECT number, total FROM bills WHERE account_id = $1 ORDER BY period", [accountID]
            ).rows.map { (try $0.decode("number", as: String.self), Money(minorUnits: try $0.decode("total"))) }
            try await body(
                db, clock,
                Fixture(
                    accountID: accountID, accountNumber: account.number, mobile: account.mobile, consumer: consumer, drafter: drafter,
                    approver: approver, bills: bills))
        }
    }

    struct Fixture {
        let accountID: Int64
        let accountNumber: String
        let mobile: String
        let consumer: Int64
        let drafter: Int64
        let approver: Int64
        /// Number and total of each issued bill, oldest first.
        let bills: [(number: String, total: Money)]
    }

    static func gateway(_ db: Database) -> SandboxGateway {
        SandboxGateway(database: db, secret: secret, pageURL: { "/sandbox-gateway/\($0)" })
    }

    /// Starts an online payment and returns its checkout id.
    static func start(_ amount: String, _ db: Database, _ fixture: Fixture) async throws -> (Int64, String) {
        let (id, checkout) = try await StartOnlinePayment(database: db, gateway: gateway(db), settings: settings).run(
            accountID: fixture.accountID, accountNumber: fixture.accountNumber, amount: amount, by: fixture.consumer,
            returnURL: { "http://127.0.0.1/account/payments/\($0)" }, webhookURL: "http://127.0.0.1/payments/webhook")
        return (id, checkout.id)
    }

    /// A callback as the gateway sends it: the event's JSON, signed now.
    static func callback(
        _ type: GatewayEvent.Kind, checkout: String, amount: Int64, id: String = "evt_\(UUID().uuidString)", at time: Date
    ) -> (body: [UInt8], signature: String) {
        let event = GatewayEvent(id: id, type: type, checkout: checkout, amount: amount, currency: "GBP", created: Int64(time.timeIntervalSince1970))
        let body = Array(try! JSONEncoder().encode(event))
        return (body, WebhookSignature(secret: secret).sign(body: body, at: time))
    }

    /// Prepaid purchases: 0.25 a kWh, vending keys sealed under a test key.
    static let prepaidSale = PrepaidSale(
        issue: IssueCreditToken(
            box: SecretBox(secretKey: Array("test secret key for vending keys!".utf8), purpose: "vending-keys"),
            settings: PrepaidSettings(pricePerKilowattHour: Money(minorUnits: 25))))

    static func receive(_ callback: (body: [UInt8], signature: String), _ db: Database) async throws -> ReceivePaymentEvent.Outcome {
        try await ReceivePaymentEvent(database: db, gateway: gateway(db), settings: settings, prepaid: prepaidSale).run(
            body: callback.body, signature: callback.signature)
    }

    static func balance(_ db: Database, _ fixture: Fixture) async throws -> Money {
        Money(
            minorUnits: try await db.query("SELECT balance FROM account_balances WHERE account_id = $1", [fixture.accountID]).rows[0].decode(
                "balance"))
    }

    static func ledgerIsSound(_ db: Database) async throws {
        let report = try await VerifyLedger(database: db).run()
        #expect(report.problems.isEmpty, "\(report.problems)")
    }

    @Test("a payment counts only when the gateway's signed callback says it succeeded, and settles the oldest bill first")
    func paymentCountsOnlyFromTheCallback() async throws {
        try await Self.withBills { db, clock, fixture in
            let owed = try await Self.balance(db, fixture)
            let oldest = fixture.bills[0]
            let (paymentID, checkout) = try await Self.start(DecimalText.format(UInt64(oldest.total.minorUnits), fractionDigits: 2), db, fixture)
            // The consumer is at the gateway: nothing has changed yet.
            #expect(try await Self.balance(db, fixture) == owed)
            #expect(try await AccountPayments(database: db).payment(paymentID, ownedAccountIDs: [fixture.accountID]).0.status == .pending)

            let outcome = try await Self.receive(Self.callback(.succeeded, checkout: checkout, amount: oldest.total.minorUnits, at: clock.now), db)
            let year = CalendarDay.current(clock).year
            #expect(outcome == .credited(receipt: "RC-\(year)-000001"))
            #expect(try await Self.balance(db, fixture) == owed - oldest.total)
            let (payment, allocations) = try await AccountPayments(database: db).payment(paymentID, ownedAccountIDs: [fixture.accountID])
            #expect(payment.status == .succeeded)
            #expect(payment.receiptNumber == "RC-\(year)-000001")
            #expect(allocations.map(\.billNumber) == [oldest.number])
            #expect(allocations.map(\.amount) == [oldest.total])
            // The receipt reaches the owner's phone.
            let sms = try await db.query("SELECT body FROM notifications WHERE recipient = $1 AND purpose = 'payment_receipt'", [fixture.mobile]).rows
            #expect(sms.count == 1)
            #expect(try sms[0].decode("body", as: String.self).contains("Receipt RC-\(year)-000001"))
            // Another consumer cannot see it.
            await #expect(throws: NotFound.self) {
                try await AccountPayments(database: db).payment(paymentID, ownedAccountIDs: [fixture.accountID + 1])
            }
            try await Self.ledgerIsSound(db)
        }
    }

    @Test("the same event delivered twice, even at the same moment, makes one ledger entry")
    func duplicateEventsCountOnce() async throws {
        try await Self.withBills { db, clock, fixture in
            let (_, checkout) = try await Self.start("10.00", db, fixture)
            let callback = Self.callback(.succeeded, checkout: checkout, amount: 1000, id: "evt_twice", at: clock.now)
            async let first = Self.receive(callback, db)
            async let second = Self.receive(callback, db)
            let outcomes = try await [first, second]
            #expect(outcomes.filter { $0 == .duplicate }.count == 1)
            #expect(outcomes.contains { if case .credited = $0 { true } else { false } })
            #expect(try await Self.receive(callback, db) == .duplicate)
            let entries = try await db.query("SELECT count(*) AS n FROM ledger_entries WHERE kind = 'payment'").rows[0].decode("n", as: Int.self)
            #expect(entries == 1)
            // A second success event for the same payment (another id) changes nothing either.
            #expect(try await Self.receive(Self.callback(.succeeded, checkout: checkout, amount: 1000, at: clock.now), db) == .noChange)
            try await Self.ledgerIsSound(db)
        }
    }

    @Test("a part payment settles the oldest bill and part of the next; an over-payment stays as credit")
    func partAndOverPayments() async throws {
        try await Self.withBills { db, clock, fixture in
            let owed = try await Self.balance(db, fixture)
            let part = fixture.bills[0].total + Money(minorUnits: 100)
            let (firstID, first) = try await Self.start(Self.settings.currency.plain(part), db, fixture)
            _ = try await Self.receive(Self.callback(.succeeded, checkout: first, amount: part.minorUnits, at: clock.now), db)
            let firstAllocations = try await AccountPayments(database: db).payment(firstID).1
            #expect(firstAllocations.map(\.billNumber) == [fixture.bills[0].number, fixture.bills[1].number])
            #expect(firstAllocations.map(\.amount) == [fixture.bills[0].total, Money(minorUnits: 100)])

            // The rest and 50.00 more: every bill is settled and 50.00 stays as credit.
            let rest = owed - part + Money(minorUnits: 5000)
            let (secondID, second) = try await Self.start(Self.settings.currency.plain(rest), db, fixture)
            _ = try await Self.receive(Self.callback(.succeeded, checkout: second, amount: rest.minorUnits, at: clock.now), db)
            let secondAllocations = try await AccountPayments(database: db).payment(secondID).1
            #expect(secondAllocations.map(\.billNumber) == [fixture.bills[1].number, fixture.bills[2].number])
            #expect(secondAllocations.map(\.amount).sum() == rest - Money(minorUnits: 5000))
            #expect(try await Self.balance(db, fixture) == Money(minorUnits: -5000))
            try await Self.ledgerIsSound(db)
        }
    }

    @Test("a chargeback takes the payment back and reopens the bills it paid")
    func chargebackReopensBills() async throws {
        try await Self.withBills { db, clock, fixture in
            let owed = try await Self.balance(db, fixture)
            let (paymentID, checkout) = try await Self.start(Self.settings.currency.plain(owed), db, fixture)
            _ = try await Self.receive(Self.callback(.succeeded, checkout: checkout, amount: owed.minorUnits, at: clock.now), db)
            #expect(try await Self.balance(db, fixture) == .zero)
            #expect(try await OpenBills.now(account: fixture.accountID, in: db).map(\.open) == [.zero, .zero, .zero])

            clock.advance(by: 86_400 * 20)
            #expect(try await Self.receive(Self.callback(.reversed, checkout: checkout, amount: owed.minorUnits, at: clock.now), db) == .reversed)
            #expect(try await Self.balance(db, fixture) == owed)
            let reopened = try await OpenBills.now(account: fixture.accountID, in: db)
            #expect(reopened.map(\.number) == fixture.bills.map(\.number))
            #expect(reopened.map(\.open) == fixture.bills.map(\.total))
            let payment = try await AccountPayments(database: db).payment(paymentID).0
            #expect(payment.status == .reversed)
            #expect(
                try await db.query("SELECT 1 FROM notifications WHERE recipient = $1 AND purpose = 'payment_reversed'", [fixture.mobile]).rows.count
                    == 1)
            // A late success for a reversed payment changes nothing.
            #expect(try await Self.receive(Self.callback(.succeeded, checkout: checkout, amount: owed.minorUnits, at: clock.now), db) == .noChange)
            try await Self.ledgerIsSound(db)
        }
    }

    @Test("a chargeback that arrives before the success still leaves the payment taken back")
    func reversalBeforeSuccess() async throws {
        try await Self.withBills { db, clock, fixture in
            let owed = try await Self.balance(db, fixture)
            let (paymentID, checkout) = try await Self.start("30.00", db, fixture)
            #expect(try await Self.receive(Self.callback(.reversed, checkout: checkout, amount: 3000, at: clock.now), db) == .noChange)
            #expect(try await Self.receive(Self.callback(.succeeded, checkout: checkout, amount: 3000, at: clock.now), db) == .reversed)
            #expect(try await AccountPayments(database: db).payment(paymentID).0.status == .reversed)
            #expect(try await Self.balance(db, fixture) == owed)
            try await Self.ledgerIsSound(db)
        }
    }

    @Test("a declined card fails the payment and takes nothing; a forged or stale callback stores nothing")
    func declinedAndForgedCallbacks() async throws {
        try await Self.withBills { db, clock, fixture in
            let owed = try await Self.balance(db, fixture)
            let (paymentID, checkout) = try await Self.start("20.00", db, fixture)
            var forged = Self.callback(.succeeded, checkout: checkout, amount: 2000, at: clock.now)
            forged.body = Array(String(decoding: forged.body, as: UTF8.self).replacingOccurrences(of: "2000", with: "9000").utf8)
            await #expect(throws: CallbackRefused.badSignature) { try await Self.receive(forged, db) }
            let stale = Self.callback(.succeeded, checkout: checkout, amount: 2000, at: clock.now.addingTimeInterval(-600))
            await #expect(throws: CallbackRefused.stale) { try await Self.receive(stale, db) }
            let unknown = Self.callback(.succeeded, checkout: "chk_nosuchcheckout0000", amount: 2000, at: clock.now)
            await #expect(throws: CallbackRefused.unknownCheckout("chk_nosuchcheckout0000")) { try await Self.receive(unknown, db) }
            let events = try await db.query("SELECT 1 FROM payment_events").rows
            #expect(events.isEmpty)

            #expect(try await Self.receive(Self.callback(.failed, checkout: checkout, amount: 2000, at: clock.now), db) == .failed)
            #expect(try await AccountPayments(database: db).payment(paymentID).0.status == .failed)
            #expect(try await Self.balance(db, fixture) == owed)
        }
    }

    @Test("an amount that is not a payment is refused with a message, and nothing is stored")
    func badAmountsAreRefused() async throws {
        try await Self.withBills { db, _, fixture in
            for (typed, refusal) in [
                ("", AmountRefused.missing), ("twelve", .notAnAmount(.poundSterling)), ("12.345", .notAnAmount(.poundSterling)),
                ("0", .notPositive), ("-5", .notPositive), ("99999999999", .tooLarge("£1,000,000.00")),
            ] {
                await #expect(throws: StartOnlinePayment.Refused.amount(refusal)) { try await Self.start(typed, db, fixture) }
            }
            let stored = try await db.query("SELECT 1 FROM payments").rows
            #expect(stored.isEmpty)
        }
    }

    @Test("an office payment counts only after a second finance user verifies it")
    func officePaymentsTakeFourEyes() async throws {
        try await Self.withBills { db, _, fixture in
            let owed = try await Self.balance(db, fixture)
            let office = OfficePayments(database: db, settings: Self.settings)
            let recorded = try await office.record(
                accountNumber: fixture.accountNumber, amount: "40.00", method: "office", reference: "Book 12, slip 345", by: fixture.drafter,
                clientAddress: nil)
            #expect(recorded.status == .awaitingVerification)
            #expect(try await Self.balance(db, fixture) == owed)
            await #expect(throws: OfficePayments.Refused.ownPayment) { try await office.verify(recorded.id, by: fixture.drafter, clientAddress: nil) }
            let verified = try await office.verify(recorded.id, by: fixture.approver, clientAddress: nil)
            #expect(verified.status == .succeeded)
            #expect(verified.receiptNumber != nil)
            #expect(try await Self.balance(db, fixture) == owed - Money(minorUnits: 4000))
            await #expect(throws: OfficePayments.Refused.notAwaiting(.succeeded)) {
                try await office.verify(recorded.id, by: fixture.approver, clientAddress: nil)
            }
            #expect(try await db.query("SELECT 1 FROM audit_log WHERE action = 'payment.verified'").rows.count == 1)

            // Rejected: it never counts.
            let wrong = try await office.record(
                accountNumber: fixture.accountNumber, amount: "15", method: "bank_transfer", reference: "BANK REF 99", by: fixture.drafter,
                clientAddress: nil)
            await #expect(throws: OfficePayments.Refused.reasonMissing) {
                try await office.reject(wrong.id, reason: " ", by: fixture.approver, clientAddress: nil)
            }
            #expect(
                try await office.reject(wrong.id, reason: "No such transfer on the statement", by: fixture.approver, clientAddress: nil).status
                    == .rejected)
            #expect(try await Self.balance(db, fixture) == owed - Money(minorUnits: 4000))

            // Bad input: every field's problem at once.
            await #expect(
                throws: OfficePayments.Invalid(
                    account: .noSuchAccount("999"), amount: .amount(.notPositive), method: .methodMissing, reference: .referenceMissing)
            ) {
                try await office.record(accountNumber: "999", amount: "0", method: "online", reference: " ", by: fixture.drafter, clientAddress: nil)
            }
            await #expect(throws: OfficePayments.Invalid(account: .noSuchAccount(""))) {
                try await office.record(accountNumber: "", amount: "1", method: "office", reference: "x", by: fixture.drafter, clientAddress: nil)
            }
            try await Self.ledgerIsSound(db)
        }
    }
}
