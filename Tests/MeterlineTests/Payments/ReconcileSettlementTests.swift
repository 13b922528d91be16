import Foundation
import Testing

@testable import Billing
@testable import Payments
@testable import Platform

/// BL-5: the gateway's settlement file against what Meterline credited.
@Suite("Settlement reconciliation (BL-5)")
struct ReconcileSettlementTests {
    @Test("payments are matched, paid a different amount, missing from the file, or not expected")
    func settlementIsCompared() async throws {
        try await PaymentTests.withBills { db, clock, fixture in
            var credited: [String] = []
            for amount in ["10.00", "20.00", "30.00"] {
                let (_, checkout) = try await PaymentTests.start(amount, db, fixture)
                let minor = PaymentSettings().currency.parse(amount)!.minorUnits
                _ = try await PaymentTests.receive(PaymentTests.callback(.succeeded, checkout: checkout, amount: minor, at: clock.now), db)
                credited.append(checkout)
            }
            let (_, pending) = try await PaymentTests.start("40.00", db, fixture)
            let today = CalendarDay.current(clock).description
            let csv = """
                \u{FEFF}checkout,amount,date\r
                \(credited[0]),10.00,\(today)\r
                \(credited[1]),19.50,\(today)\r
                \(pending),40.00,\(today)\r
                chk_only_at_the_gateway_000,5.00,\(today)\r

                """
            let result = try await ReconcileSettlement(database: db, gatewayName: "sandbox", currency: .poundSterling).run(csv: csv)
            #expect(result.matched.map(\.checkout) == [credited[0]])
            #expect(result.differentAmount.map(\.checkout) == [credited[1]])
            #expect(result.differentAmount.first?.settled == Money(minorUnits: 1950))
            #expect(result.missing.map(\.checkout) == [credited[2]])
            #expect(result.missing.first?.receiptNumber?.hasPrefix("RC-") == true)
            #expect(Set(result.unexpected.map(\.checkout)) == [pending, "chk_only_at_the_gateway_000"])
        }
    }

    @Test("a file with a wrong header or bad lines is refused line by line, and nothing is compared")
    func badFilesAreRefused() async throws {
        try await withTestDatabase { db in
            let reconcile = ReconcileSettlement(database: db, gatewayName: "sandbox", currency: .poundSterling)
            await #expect(throws: ReconcileSettlement.Refused.empty) { try await reconcile.run(csv: "") }
            await #expect(throws: ReconcileSettlement.Refused.header) { try await reconcile.run(csv: "id,value\nchk_1,2") }
            await #expect(throws: ReconcileSettlement.Refused.empty) { try await reconcile.run(csv: "checkout,amount,date\n") }
            let bad =
                "checkout,amount,date\nchk_1,ten,2026-11-02\nchk_2,1.00,02/11/2026\nchk_3,1.00\nchk_4,1.00,2026-11-02\nchk_4,1.00,2026-11-02\n,1.00,2026-11-02\n"
            await #expect(
                throws: ReconcileSettlement.Refused.lines([
                    .init(line: 2, message: "'ten' is not an amount such as 12.50."),
                    .init(line: 3, message: "'02/11/2026' is not a date as YYYY-MM-DD."),
                    .init(line: 4, message: "Expected 3 fields (checkout, amount, date), found 2."),
                    .init(line: 6, message: "Checkout chk_4 is listed twice."),
                    .init(line: 7, message: "The checkout id is missing or not readable."),
                ])
            ) { try await reconcile.run(csv: bad) }
            // Quotes, commas and braces in a checkout id are compared as text, not as SQL or array syntax.
            let odd = try await reconcile.run(csv: "checkout,amount,date\n\"chk_\"\"{a,b}\\\\\",1.00,2026-11-02\n")
            #expect(odd.unexpected.map(\.checkout) == ["chk_\"{a,b}\\\\"])
        }
    }
}
