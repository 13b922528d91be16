import Foundation
import Testing

@testable import Accounts
@testable import Billing
@testable import Payments
@testable import Platform

/// BL-6 over many accounts: the defaulters list reads arrears kept per account, worked out for
/// every account once a day and in between only for the accounts that changed.
@Suite("Arrears kept for the defaulters list (BL-6)")
struct ArrearsTests {
    static let day: TimeInterval = 86_400

    @Test("arrears are worked out for every account on a new day, then only for those that changed: a payment and a dispute show at once")
    func workedOutAgainWhereChanged() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            let clock = MovableClock(Date().addingTimeInterval(Double(TestBilling.settings.dueDays + 40) * Self.day))
            let arrears = Arrears(database: db, clock: clock)
            let defaulters = Defaulters(database: db, clock: clock)
            #expect(try await arrears.bringUpToDate() == .all)
            #expect(try await arrears.bringUpToDate() == .changed(accounts: 0))
            let before = try await defaulters.list(area: nil)
            #expect(before.count == DemoAccounts.accounts.count)

            // One account pays what it owes at the office; another's bill is disputed.
            let payer = try #require(before.rows.first)
            let disputer = try #require(before.rows.dropFirst().first)
            let office = OfficePayments(database: db, settings: PaymentSettings())
            let payment = try await office.record(
                accountNumber: payer.accountNumber, amount: Currency.poundSterling.plain(payer.balance), method: "office",
                reference: "Counter 1", by: drafter, clientAddress: nil)
            _ = try await office.verify(payment.id, by: approver, clientAddress: nil)
            try await db.query(
                "UPDATE bills SET disputed = true WHERE account_id = (SELECT id FROM accounts WHERE account_number = $1)",
                [disputer.accountNumber])

            #expect(try await arrears.bringUpToDate() == .changed(accounts: 2), "only the two accounts are worked out again")
            let after = try await defaulters.list(area: nil)
            #expect(after.count == before.count - 2)
            #expect(!after.rows.contains { [payer.accountNumber, disputer.accountNumber].contains($0.accountNumber) })
            #expect(after.totalOwed == before.totalOwed - payer.balance - disputer.balance)

            // A day later every debt is a day older: all accounts are worked out again.
            clock.advance(by: Self.day)
            #expect(try await arrears.bringUpToDate() == .all)
            let nextDay = try await defaulters.list(area: nil)
            #expect(nextDay.count == after.count && nextDay.rows.allSatisfy { $0.daysOverdue == 41 })
        }
    }

    @Test("worked out a few accounts at a time, the arrears are the same as all at once")
    func rangesAddUp() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            try await TestBilling.issue(TestBilling.recentMonths[1], db, drafter: drafter, approver: approver)
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            let clock = MovableClock(Date().addingTimeInterval(Double(TestBilling.settings.dueDays + 40) * Self.day))
            #expect(try await Arrears(database: db, clock: clock).bringUpToDate() == .all)
            let allAtOnce = try await Defaulters(database: db, clock: clock).list(area: nil, limit: nil)
            #expect(allAtOnce.count == DemoAccounts.accounts.count)
            clock.advance(by: Self.day)
            #expect(try await Arrears(database: db, clock: clock, accountsAtATime: 2).bringUpToDate() == .all)
            clock.advance(by: -Self.day)
            #expect(try await Arrears(database: db, clock: clock, accountsAtATime: 3).bringUpToDate() == .all)
            #expect(try await Defaulters(database: db, clock: clock).list(area: nil, limit: nil) == allAtOnce)
        }
    }
}
