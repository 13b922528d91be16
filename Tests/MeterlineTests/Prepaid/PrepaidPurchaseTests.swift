import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MeterBridge
import MeterProtocol
import MeterSimulator
import Testing

@testable import Accounts
@testable import Billing
@testable import Metering
@testable import Payments
@testable import Platform
@testable import Prepaid
@testable import Web

/// BL-8, BR-3: a prepaid consumer pays through the gateway; the token is made with the payment,
/// sent by SMS, and passed through a real bridge to a simulated meter, which takes it once.
@Suite("Prepaid purchases reach the meter (BL-8, BR-3)")
struct PrepaidPurchaseTests {
    static let bridgeSecret = Array("a-bridge-secret-of-thirty-two-characters".utf8)
    static let vendingKey: UInt64 = 0xabab_abab_abab_abab

    /// The first demo account with a prepaid meter whose key comes from the simulator's seed, a
    /// vending key loaded, and the account's owner.
    static func prepaidAccount(_ db: Database) async throws -> (accountID: Int64, meterID: Int64, serial: String, consumer: Int64) {
        try await DemoAccounts.seed(db)
        let serial = "PRE-TEST-1"
        let meterID = try await installMeter(db, serial: serial)
        try await db.query(
            "UPDATE meters SET kind = 'prepaid', public_key = $1 WHERE id = $2",
            [Hex.encode(SimulatedMeter.key(seed: "test", serial: serial).publicKey.compressed), meterID])
        let loaded = try await VendingKeys(database: db, box: PaymentTests.prepaidSale.issue.box).load(
            supplyGroup: "123456", keyRevision: "1", keyType: "2", key: "abababababababab", by: nil)
        #expect(loaded.enrolled == 1)
        let account = DemoAccounts.accounts[0]
        try await db.query("UPDATE accounts SET billing_type = 'prepaid' WHERE account_number = $1", [account.number])
        let accountID: Int64 = try await db.query("SELECT id FROM accounts WHERE account_number = $1", [account.number]).rows[0].decode("id")
        let consumer: Int64 = try await db.query(
            """
            INSERT INTO users (username, full_name, password_hash, kind, status, account_id, mobile, mobile_verified_at)
            VALUES ('pat.prepaid', 'Pat Prepaid', '$argon2id$placeholder', 'consumer', 'active', $1, $2, now()) RETURNING id
            """, [accountID, account.mobile]
        ).rows[0].decode("id")
        return (accountID, meterID, serial, consumer)
    }

    static func buy(_ amount: String, meter serial: String, accountID: Int64, consumer: Int64, _ db: Database) async throws -> (Int64, String) {
        let (id, checkout) = try await BuyPrepaidCredit(
            start: StartOnlinePayment(database: db, gateway: PaymentTests.gateway(db), settings: PaymentTests.settings),
            prepaid: PaymentTests.prepaidSale.issue.settings
        ).run(
            accountID: accountID, meterSerial: serial, amount: amount, by: consumer, returnURL: { "http://127.0.0.1/account/payments/\($0)" },
            webhookURL: "http://127.0.0.1/payments/webhook")
        return (id, checkout.id)
    }

    @Test("a paid purchase makes one token, books the sale so the balance stays, and texts the token")
    func purchaseMakesToken() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let fixture = try await Self.prepaidAccount(db)
            let (paymentID, checkout) = try await Self.buy(
                "5.00", meter: fixture.serial, accountID: fixture.accountID, consumer: fixture.consumer, db)
            let success = PaymentTests.callback(.succeeded, checkout: checkout, amount: 500, at: Date())
            guard case .credited = try await PaymentTests.receive(success, db) else {
                Issue.record("not credited")
                return
            }
            // The same callback again makes nothing more.
            #expect(try await PaymentTests.receive(success, db) == .duplicate)
            let tokens = try await PrepaidTokens(database: db).forPayment(paymentID)
            #expect(tokens.count == 1)
            let token = try #require(tokens.first)
            #expect(token.tenths == 200)
            #expect(token.delivery == .waiting)
            // It opens with the meter's own decoder key, and with no other.
            let key = try STSDecoderKey(
                vendingKey: Self.vendingKey, keyType: 2, supplyGroupCode: "123456", tariffIndex: 1, keyRevision: 1,
                pan: try await db.query("SELECT pan FROM prepaid_meters WHERE meter_id = $1", [fixture.meterID]).rows[0].decode("pan"))
            guard case .credit(let credit) = try STSToken(digits: token.digits, key: key) else {
                Issue.record("not a credit token")
                return
            }
            #expect(credit.amount.tenths == 200)
            #expect(throws: STSError.notForThisMeter) { try STSToken(digits: token.digits, key: STSDecoderKey(value: 42)) }
            // Paid 5.00, sold 5.00 of electricity: the balance is where it was, and the ledger says so.
            #expect(try await countRows("ledger_entries WHERE payment_id = $1 AND kind = 'token_sale' AND amount = 500", db, [paymentID]) == 1)
            let balance: Int64 = try await db.query("SELECT balance FROM account_balances WHERE account_id = $1", [fixture.accountID]).rows[0]
                .decode("balance")
            #expect(balance == 0)
            #expect(try await countRows("notifications WHERE body LIKE '%' || $1 || '%'", db, [token.grouped]) == 1)
            // Finance sees it collected and sold this month, and the ledger holds together.
            let month = try #require(try await FinanceReports(database: db).billedAndCollected(months: 1).first)
            #expect(month.collected == Money(minorUnits: 500) && month.prepaidSold == Money(minorUnits: 500))
            #expect(try await VerifyLedger(database: db).run().problems == [])
            // A sale that does not match its payment is named.
            try await db.query("ALTER TABLE ledger_entries DISABLE TRIGGER USER")
            try await db.query("UPDATE ledger_entries SET amount = 499 WHERE payment_id = $1 AND kind = 'token_sale'", [paymentID])
            #expect(try await VerifyLedger(database: db).run().problems.contains { $0.contains("prepaid token sale") })
        }
    }

    @Test("a paid purchase whose token cannot be made stays on the account as credit; one charged back first makes no token")
    func purchaseWithoutToken() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let fixture = try await Self.prepaidAccount(db)
            // The key goes away between the checkout and the gateway's word: the money still counts.
            let (paid, checkout) = try await Self.buy("5.00", meter: fixture.serial, accountID: fixture.accountID, consumer: fixture.consumer, db)
            try await db.query("DELETE FROM vending_keys")
            guard case .credited = try await PaymentTests.receive(PaymentTests.callback(.succeeded, checkout: checkout, amount: 500, at: Date()), db)
            else {
                Issue.record("not credited")
                return
            }
            #expect(try await PrepaidTokens(database: db).forPayment(paid).isEmpty)
            #expect(try await countRows("ledger_entries WHERE payment_id = $1 AND kind = 'token_sale'", db, [paid]) == 0)
            let balance: Int64 = try await db.query("SELECT balance FROM account_balances WHERE account_id = $1", [fixture.accountID]).rows[0]
                .decode("balance")
            #expect(balance == -500)
            #expect(try await countRows("notifications WHERE body LIKE '%could not make your token%'", db) == 1)
            // A chargeback that overtakes the success: no token is made for money taken back.
            _ = try await VendingKeys(database: db, box: PaymentTests.prepaidSale.issue.box).load(
                supplyGroup: "123456", keyRevision: "2", keyType: "2", key: "abababababababab", by: nil)
            let (reversed, second) = try await Self.buy("5.00", meter: fixture.serial, accountID: fixture.accountID, consumer: fixture.consumer, db)
            _ = try await PaymentTests.receive(PaymentTests.callback(.reversed, checkout: second, amount: 500, at: Date()), db)
            #expect(try await PaymentTests.receive(PaymentTests.callback(.succeeded, checkout: second, amount: 500, at: Date()), db) == .reversed)
            #expect(try await PrepaidTokens(database: db).forPayment(reversed).isEmpty)
        }
    }

    @Test("an account that owes pays a quarter of each purchase towards it until it is cleared; the rest buys energy and the ledger holds")
    func debtRecoveredFromPurchases() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let fixture = try await Self.prepaidAccount(db)
            func purchase(_ amount: Int64) async throws -> Int64 {
                let (id, checkout) = try await Self.buy(
                    "\(amount / 100).\(amount % 100 < 10 ? "0" : "")\(amount % 100)", meter: fixture.serial, accountID: fixture.accountID,
                    consumer: fixture.consumer, db)
                guard
                    case .credited = try await PaymentTests.receive(
                        PaymentTests.callback(.succeeded, checkout: checkout, amount: amount, at: Date()), db)
                else { throw CancellationError() }
                return id
            }
            func owed() async throws -> Int64 {
                try await db.query("SELECT balance FROM account_balances WHERE account_id = $1", [fixture.accountID]).rows[0].decode("balance")
            }
            func tenths(_ payment: Int64) async throws -> Int? { try await PrepaidTokens(database: db).forPayment(payment).last?.tenths }
            func recovered(_ payment: Int64) async throws -> Int64 {
                try await db.query("SELECT debt_recovered FROM payments WHERE id = $1", [payment]).rows[0].decode("debt_recovered")
            }
            // Without a debt the whole purchase buys energy.
            let first = try await purchase(500)
            #expect(try await tenths(first) == 200)
            #expect(try await recovered(first) == 0)
            // The bank takes it back: the energy is owed.
            let checkout: String = try await db.query("SELECT checkout_id FROM payments WHERE id = $1", [first]).rows[0].decode("checkout_id")
            #expect(try await PaymentTests.receive(PaymentTests.callback(.reversed, checkout: checkout, amount: 500, at: Date()), db) == .reversed)
            #expect(try await owed() == 500)

            // £10.00: a quarter (£2.50) pays towards the £5.00, £7.50 buys 30 kWh.
            let second = try await purchase(1000)
            #expect(try await recovered(second) == 250)
            #expect(try await tenths(second) == 300)
            #expect(try await owed() == 250)
            #expect(try await countRows("ledger_entries WHERE payment_id = $1 AND kind = 'token_sale' AND amount = 750", db, [second]) == 1)
            #expect(try await countRows("notifications WHERE body LIKE '%£2.50 of it paid what the account owed; £2.50 is still owed.%'", db) == 1)
            // £20.00: a quarter would be £5.00, but only £2.50 is owed; £17.50 buys 70 kWh.
            let third = try await purchase(2000)
            #expect(try await recovered(third) == 250)
            #expect(try await tenths(third) == 700)
            #expect(try await owed() == 0)
            #expect(try await countRows("notifications WHERE body LIKE '%£2.50 of it paid what the account owed, which is now cleared.%'", db) == 1)
            // Cleared: the next purchase is all energy again.
            let fourth = try await purchase(100)
            #expect(try await recovered(fourth) == 0)
            #expect(try await tenths(fourth) == 40)
            #expect(try await VerifyLedger(database: db).run().problems == [])
            // The bank takes back the £10.00 that paid £2.50 of debt: both the debt share and the energy are owed again.
            let secondCheckout: String = try await db.query("SELECT checkout_id FROM payments WHERE id = $1", [second]).rows[0].decode("checkout_id")
            #expect(
                try await PaymentTests.receive(PaymentTests.callback(.reversed, checkout: secondCheckout, amount: 1000, at: Date()), db) == .reversed)
            #expect(try await owed() == 1000)
            #expect(try await VerifyLedger(database: db).run().problems == [])
            // A share that was not paid off a debt is named.
            try await db.query("UPDATE payments SET debt_recovered = 10 WHERE id = $1", [fourth])
            #expect(try await VerifyLedger(database: db).run().problems.contains { $0.contains("prepaid token sale") })
        }
    }

    @Test("a purchase whose token cannot be made on an account that owes pays the debt; the SMS says what is debt and what is credit")
    func tokenRefusedOnDebt() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let fixture = try await Self.prepaidAccount(db)
            let (first, checkout) = try await Self.buy("5.00", meter: fixture.serial, accountID: fixture.accountID, consumer: fixture.consumer, db)
            _ = try await PaymentTests.receive(PaymentTests.callback(.succeeded, checkout: checkout, amount: 500, at: Date()), db)
            #expect(try await PaymentTests.receive(PaymentTests.callback(.reversed, checkout: checkout, amount: 500, at: Date()), db) == .reversed)
            #expect(try await PrepaidTokens(database: db).forPayment(first).count == 1)
            // No key to make the next token with: the £10.00 pays the £5.00 owed and £5.00 is credit.
            let (second, next) = try await Self.buy("10.00", meter: fixture.serial, accountID: fixture.accountID, consumer: fixture.consumer, db)
            try await db.query("DELETE FROM vending_keys")
            _ = try await PaymentTests.receive(PaymentTests.callback(.succeeded, checkout: next, amount: 1000, at: Date()), db)
            #expect(try await PrepaidTokens(database: db).forPayment(second).isEmpty)
            let balance: Int64 = try await db.query("SELECT balance FROM account_balances WHERE account_id = $1", [fixture.accountID]).rows[0]
                .decode("balance")
            #expect(balance == -500)
            let number = DemoAccounts.accounts[0].number
            #expect(
                try await countRows(
                    "notifications WHERE body LIKE '%could not make your token%It paid the £5.00 account ' || $1 || ' owed and £5.00 is credit;%'",
                    db,
                    [number]) == 1)
            #expect(try await VerifyLedger(database: db).run().problems == [])
        }
    }

    @Test("the share a purchase pays towards a debt: a quarter, rounded half up, never more than is owed, none when the rest buys no token")
    func debtShare() {
        let settings = PrepaidSettings(pricePerKilowattHour: Money(minorUnits: 25))
        #expect(settings.debtShare(of: Money(minorUnits: 1000), owed: Money(minorUnits: 500)) == Money(minorUnits: 250))
        #expect(settings.debtShare(of: Money(minorUnits: 1002), owed: Money(minorUnits: 500)) == Money(minorUnits: 251))  // 250.5 → 251
        #expect(settings.debtShare(of: Money(minorUnits: 1000), owed: Money(minorUnits: 100)) == Money(minorUnits: 100))
        #expect(settings.debtShare(of: Money(minorUnits: 1000), owed: .zero) == .zero)
        #expect(settings.debtShare(of: Money(minorUnits: 1000), owed: Money(minorUnits: -300)) == .zero)
        // 3p: a quarter leaves 2p, which buys less than 0.1 kWh at 25p; the purchase stays whole.
        #expect(settings.debtShare(of: Money(minorUnits: 3), owed: Money(minorUnits: 500)) == .zero)
        var none = settings
        none.debtRecoveryPercent = 0
        #expect(none.debtShare(of: Money(minorUnits: 1000), owed: Money(minorUnits: 500)) == .zero)
    }

    @Test("a purchase below 0.1 kWh, for another meter, or of nonsense is refused before the gateway")
    func badPurchases() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let fixture = try await Self.prepaidAccount(db)
            await #expect(throws: BuyPrepaidCredit.Refused.self) {
                try await Self.buy("0.01", meter: fixture.serial, accountID: fixture.accountID, consumer: fixture.consumer, db)
            }
            await #expect(throws: BuyPrepaidCredit.Refused.noSuchMeter) {
                try await Self.buy("5.00", meter: "SOMEONE-ELSES", accountID: fixture.accountID, consumer: fixture.consumer, db)
            }
            await #expect(throws: BuyPrepaidCredit.Refused.self) {
                try await Self.buy("five", meter: fixture.serial, accountID: fixture.accountID, consumer: fixture.consumer, db)
            }
            #expect(try await countRows("payments", db) == 0)
        }
    }

    @Test("the bought token goes through the bridge to the simulated meter, which takes it once and refuses it again and a stranger's")
    func tokenReachesMeterOnce() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let fixture = try await Self.prepaidAccount(db)
            let (paymentID, checkout) = try await Self.buy(
                "5.00", meter: fixture.serial, accountID: fixture.accountID, consumer: fixture.consumer, db)
            _ = try await PaymentTests.receive(PaymentTests.callback(.succeeded, checkout: checkout, amount: 500, at: Date()), db)
            let token = try #require(try await PrepaidTokens(database: db).forPayment(paymentID).first)

            let logger = {
                var logger = Logger(label: "prepaid-test")
                logger.logLevel = .warning
                return logger
            }()
            var config = TestApp.config()
            config.bridgeSecret = String(decoding: Self.bridgeSecret, as: UTF8.self)
            let services = try await AppServices.make(config: config, database: db, logger: logger)
            let list = try MeterList(
                text: try await SmartMeterList(database: db).list(limit: 10).split(separator: "\n").filter { $0.hasPrefix(fixture.serial) }
                    .joined(separator: "\n"))
            let meter = try #require(
                list.meters(seed: "test", oddities: false, portalKey: services.commandKey.publicKey, vendingKey: Self.vendingKey).first)
            let spool = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: spool) }

            @Sendable func answer(of command: Int64) async throws -> (ok: Bool, answer: String)? {
                let deadline = ContinuousClock.now + .seconds(30)
                while ContinuousClock.now < deadline {
                    if let row = try await db.query("SELECT ok, answer FROM meter_commands WHERE id = $1 AND ok IS NOT NULL", [command]).rows.first {
                        return (try row.decode("ok"), try row.decode("answer"))
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return nil
            }
            @Sendable func send(_ digits: String) async throws -> Int64 {
                try await db.transaction { connection in
                    try MeterCommands.queue(.token, payload: digits, meterID: fixture.meterID, by: nil, at: Date(), on: connection)
                }
            }

            try await buildApplication(services: services).test(.live) { client in
                let port = try freePort()
                var settings = BridgeSettings(
                    name: "test-bridge", host: "127.0.0.1", port: port, portalURL: "http://127.0.0.1:\(client.port!)", secret: Self.bridgeSecret,
                    spoolDirectory: spool)
                settings.keyRefresh = .milliseconds(300)
                settings.statusInterval = .milliseconds(300)
                let bridge = try buildBridge(settings: settings, logger: logger)
                let simulator = Simulator(bridgeURL: "ws://127.0.0.1:\(port)/meter", interval: .seconds(60), logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await bridge.runService(gracefulShutdownSignals: []) }
                    group.addTask { await simulator.run([meter], rampUp: .milliseconds(10)) }
                    let first: Int64 = try await db.query("SELECT command_id FROM prepaid_tokens WHERE payment_id = $1", [paymentID]).rows[0]
                        .decode("command_id")
                    let accepted = try #require(try await answer(of: first))
                    #expect(accepted.ok)
                    #expect(accepted.answer.contains("Added 20.0 kWh"))
                    // The same digits again: the meter has seen this identifier.
                    let again = try #require(try await answer(of: try await send(token.digits)))
                    #expect(!again.ok)
                    #expect(again.answer == "This token was used before.")
                    // A token made for another meter's key.
                    let stranger = try STSToken.credit(.init(identifier: .init(minutes: 1), amount: .init(roundingUp: 10))).digits(
                        with: STSDecoderKey(value: 0x1234_5678_9abc_def0))
                    let refused = try #require(try await answer(of: try await send(stranger)))
                    #expect(!refused.ok)
                    #expect(refused.answer == STSError.notForThisMeter.description)
                    // An engineer disconnects the supply, then asks for diagnostics.
                    let engineer = try await VendingKeysTests.technician(db)
                    let send = SendMeterCommand(database: db)
                    let off = try #require(
                        try await answer(of: try await send.run("relay_off", meterID: fixture.meterID, by: engineer, clientAddress: nil)))
                    #expect(off.ok && off.answer == "Supply disconnected.")
                    let diagnostics = try #require(
                        try await answer(of: try await send.run("diagnostics", meterID: fixture.meterID, by: engineer, clientAddress: nil)))
                    #expect(diagnostics.ok && diagnostics.answer.hasPrefix("Relay off"))
                    await #expect(throws: SendMeterCommand.Refused.unknownCommand) {
                        try await send.run("token", meterID: fixture.meterID, by: engineer, clientAddress: nil)
                    }
                    group.cancelAll()
                }
            }
            #expect(await meter.creditTenths == 200)
            #expect(await meter.relayOn == false)
            let recent = try await MeterCommands.recent(meterID: fixture.meterID, in: db)
            #expect(recent.first?.state.hasPrefix("Done at") == true)
            let shown = try #require(try await PrepaidTokens(database: db).forPayment(paymentID).first)
            #expect(shown.delivery == .accepted("Added 20.0 kWh; credit 20.0 kWh."))
            await services.shutdown()
        }
    }
}
