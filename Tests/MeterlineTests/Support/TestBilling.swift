import Foundation
import Testing

@testable import Accounts
@testable import Billing
@testable import Identity
@testable import Metering
@testable import Platform

/// Billing set-up shared by the billing tests: the demo town's tariffs from two years back, loads
/// for the premises charged per kW, and two finance users (bill runs take two people).
enum TestBilling {
    static let settings = BillingSettings(batchSize: 2)

    /// The month before this one, and the two before it, oldest first.
    static var recentMonths: [BillingPeriod] {
        let current = BillingPeriod.current(SystemClock())
        return [current.previous.previous.previous, current.previous.previous, current.previous]
    }

    static func seedTariffs(_ db: Database) async throws {
        let start = CalendarDay(day(ago: 730))!
        let book = TariffBook(database: db)
        try await book.addVersion(category: "residential", tariffName: "Domestic", effectiveFrom: start, rules: DemoBilling.residential, by: nil)
        try await book.addVersion(category: "commercial", tariffName: "Business", effectiveFrom: start, rules: DemoBilling.commercial, by: nil)
        try await book.addVersion(category: "industrial", tariffName: "Industrial", effectiveFrom: start, rules: DemoBilling.industrial, by: nil)
        try await db.query("UPDATE accounts SET sanctioned_load_tenths_kw = 75 WHERE category IN ('commercial', 'industrial')")
    }

    /// Two active finance staff logins: (drafter, approver).
    static func financeStaff(_ db: Database) async throws -> (Int64, Int64) {
        var ids: [Int64] = []
        for (username, name) in [("fay.finance", "Fay Finance"), ("gus.finance", "Gus Finance")] {
            ids.append(
                try await db.query(
                    """
                    INSERT INTO users (username, full_name, password_hash, kind, roles, status)
                    VALUES ($1, $2, '$argon2id$placeholder', 'staff', '{finance}', 'active') RETURNING id
                    """, [username, name]
                ).rows[0].decode("id"))
        }
        return (ids[0], ids[1])
    }

    /// A reading on a given day, through the field's action.
    static func reading(_ db: Database, account: String = DemoAccounts.accounts[0].number, value: Int64, on day: CalendarDay) async throws {
        let reader = try await db.query("SELECT id FROM users WHERE kind = 'staff' ORDER BY id LIMIT 1").rows[0].decode("id", as: Int64.self)
        _ = try await RecordReading(database: db, highUseFactor: 100).record(
            .init(
                accountNumber: account, value: String(value), date: day.description, idempotencyKey: UUID().uuidString, readerID: reader,
                clientAddress: "test"))
    }

    /// A test database with the demo accounts, their tariffs and two finance users; the body gets
    /// (db, drafter, approver).
    static func withBilling(clock: any WallClock = SystemClock(), _ body: (Database, Int64, Int64) async throws -> Void) async throws {
        try await withTestDatabase(clock: clock) { db in
            try await DemoAccounts.seed(db)
            try await seedTariffs(db)
            let (drafter, approver) = try await financeStaff(db)
            try await body(db, drafter, approver)
        }
    }

    /// Drafts, approves and issues a month.
    @discardableResult
    static func issue(_ period: BillingPeriod, _ db: Database, drafter: Int64, approver: Int64) async throws -> BillRun {
        let run = try await DraftBillRun(database: db, settings: settings).run(period: period, by: drafter)
        try await ApproveBillRun(database: db).run(run.id, by: approver)
        return try await IssueBillRun(database: db, settings: settings).run(run.id)
    }
}
