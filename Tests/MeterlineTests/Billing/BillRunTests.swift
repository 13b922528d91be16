import Foundation
import Testing

@testable import Accounts
@testable import Billing
@testable import Identity
@testable import Metering
@testable import Platform

/// BL-2, BL-4: bill runs against a real database: one bill per account and month however often
/// a run is started or interrupted, four eyes before anything is issued, gapless numbers, and a
/// ledger that adds up.
@Suite("Bill runs (BL-2) and the ledger (BL-4)")
struct BillRunTests {

    static func billCount(_ db: Database, period: BillingPeriod) async throws -> Int {
        try await countRows("bills WHERE period = $1::date", db, [period.first.description])
    }

    @Test("drafting a month twice makes no second bill")
    func draftIsIdempotent() async throws {
        try await TestBilling.withBilling { db, drafter, _ in
            let month = TestBilling.recentMonths[2]
            let draft = DraftBillRun(database: db, settings: TestBilling.settings)
            let run = try await draft.run(period: month, by: drafter)
            #expect(run.status == .draft)
            #expect(try await Self.billCount(db, period: month) == DemoAccounts.accounts.count)
            await #expect(throws: DraftBillRun.Refused.alreadyDrafted(month, .draft)) { try await draft.run(period: month, by: drafter) }
            #expect(try await Self.billCount(db, period: month) == DemoAccounts.accounts.count)
        }
    }

    @Test("a draft stopped between batches resumes to exactly one bill per account")
    func draftResumesAfterInterruption() async throws {
        try await TestBilling.withBilling { db, drafter, _ in
            let month = TestBilling.recentMonths[2]
            // One worker, so that "after the first batch" is one batch.
            let draft = DraftBillRun(database: db, settings: BillingSettings(batchSize: 2, draftWorkers: 1))
            // Stop after the first batch of two accounts, as a crash between transactions would.
            let interrupted = Task {
                try await draft.run(period: month, by: drafter) { done, _ in
                    if done > 0 { withUnsafeCurrentTask { $0?.cancel() } }
                }
            }
            await #expect(throws: CancellationError.self) { try await interrupted.value }
            let stopped = try #require(try await BillRun.live(for: month, in: db))
            #expect(stopped.status == .drafting)
            #expect(try await Self.billCount(db, period: month) == 2)
            // Starting the month again resumes the same run.
            let finished = try await draft.run(period: month, by: drafter)
            #expect(finished.id == stopped.id)
            #expect(finished.status == .draft)
            #expect(try await Self.billCount(db, period: month) == DemoAccounts.accounts.count)
            #expect(try await countRows("bill_lines l JOIN bills b ON b.id = l.bill_id WHERE b.bill_run_id = $1", db, [finished.id]) > 0)
        }
    }

    @Test("whoever drafted a run cannot approve it, and nothing is issued before approval")
    func fourEyes() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            let run = try await DraftBillRun(database: db, settings: TestBilling.settings).run(period: TestBilling.recentMonths[2], by: drafter)
            let issue = IssueBillRun(database: db, settings: TestBilling.settings)
            await #expect(throws: IssueBillRun.Refused.notApproved(.draft)) { try await issue.run(run.id) }
            await #expect(throws: ApproveBillRun.Refused.sameUser) { try await ApproveBillRun(database: db).run(run.id, by: drafter) }
            let reader = try await db.query(
                "INSERT INTO users (username, full_name, password_hash, kind, roles, status) VALUES ('rob.reader', 'Rob', '$argon2id$placeholder', 'staff', '{meter_reader}', 'active') RETURNING id"
            ).rows[0].decode("id", as: Int64.self)
            await #expect(throws: ApproveBillRun.Refused.notFinance) { try await ApproveBillRun(database: db).run(run.id, by: reader) }
            #expect(try await countRows("bills WHERE number IS NOT NULL", db) == 0)
            #expect(try await countRows("ledger_entries", db) == 0)
            // The database holds the rule too.
            await #expect(throws: DatabaseError.self) {
                try await db.query("UPDATE bill_runs SET status = 'approved', approved_by = created_by, approved_at = now() WHERE id = $1", [run.id])
            }
            try await ApproveBillRun(database: db).run(run.id, by: approver)
            let issued = try await issue.run(run.id)
            #expect(issued.status == .issued)
            #expect(try await countRows("bills WHERE number IS NOT NULL", db) == DemoAccounts.accounts.count)
            let texts = try await countRows("notifications WHERE purpose = 'bill_issued'", db)
            #expect(texts == 0, "no demo account has a registered consumer yet, so nobody is texted")
        }
    }

    @Test("issuing stopped between batches resumes with no gap and no number twice")
    func issueResumesWithoutGaps() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            let months = TestBilling.recentMonths
            try await TestBilling.issue(months[1], db, drafter: drafter, approver: approver)
            let run = try await DraftBillRun(database: db, settings: TestBilling.settings).run(period: months[2], by: drafter)
            try await ApproveBillRun(database: db).run(run.id, by: approver)
            let issue = IssueBillRun(database: db, settings: TestBilling.settings)
            let interrupted = Task { try await issue.run(run.id) { _, _ in withUnsafeCurrentTask { $0?.cancel() } } }
            await #expect(throws: CancellationError.self) { try await interrupted.value }
            #expect(try await BillRun.find(run.id, in: db).status == .issuing)
            #expect(try await countRows("bills WHERE bill_run_id = $1 AND number IS NOT NULL", db, [run.id]) == 2)
            _ = try await issue.run(run.id)
            let numbers = try await db.query("SELECT number FROM bills WHERE number IS NOT NULL ORDER BY number").rows.map {
                try $0.decode("number", as: String.self)
            }
            let year = CalendarDay.current(SystemClock()).year
            #expect(numbers == (1...(2 * DemoAccounts.accounts.count)).map { String(format: "MTL-%04d-%06d", year, $0) })
            let report = try await VerifyLedger(database: db).run()
            #expect(report.problems == [])
            #expect(report.entries == 2 * DemoAccounts.accounts.count)
        }
    }

    @Test("a series past 999,999 bills in a year grows a seventh digit instead of wrapping")
    func numbersGrowADigit() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            let year = CalendarDay.current(SystemClock()).year
            try await db.query("INSERT INTO bill_number_series (prefix, year, last) VALUES ('MTL', $1, 999998)", [year])
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            let numbers = try await db.query("SELECT number FROM bills ORDER BY id").rows.map { try $0.decode("number", as: String.self) }
            #expect(numbers.prefix(3) == ["MTL-\(year)-999999", "MTL-\(year)-1000000", "MTL-\(year)-1000001"])
        }
    }

    @Test("a draft can be discarded before approval, then the month drafted again; not after")
    func discard() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            let month = TestBilling.recentMonths[2]
            let draft = DraftBillRun(database: db, settings: TestBilling.settings)
            let first = try await draft.run(period: month, by: drafter)
            try await DiscardBillRun(database: db).run(first.id, by: approver)
            #expect(try await Self.billCount(db, period: month) == 0)
            let second = try await draft.run(period: month, by: drafter)
            #expect(second.id != first.id)
            try await ApproveBillRun(database: db).run(second.id, by: approver)
            await #expect(throws: DiscardBillRun.Refused.alreadyApproved(.approved)) {
                try await DiscardBillRun(database: db).run(second.id, by: drafter)
            }
        }
    }

    @Test("a large draft is discarded a batch at a time; one stopped halfway is cleared when the month is drafted again")
    func discardInBatches() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            let month = TestBilling.recentMonths[2]
            let draft = DraftBillRun(database: db, settings: TestBilling.settings)
            let linesBefore = try await countRows("bill_lines", db)
            let first = try await draft.run(period: month, by: drafter)
            let drafted = try await Self.billCount(db, period: month)
            #expect(drafted > 3)
            // Two bills per transaction: every bill and line of the run goes all the same.
            try await DiscardBillRun(database: db, batch: 2).run(first.id, by: approver)
            #expect(try await Self.billCount(db, period: month) == 0)
            #expect(try await countRows("bill_lines", db) == linesBefore)

            // A discard that stopped after marking the run: its bills are still there...
            let second = try await draft.run(period: month, by: drafter)
            try await db.query(
                "UPDATE bill_runs SET status = 'discarded', discarded_by = $2, discarded_at = now() WHERE id = $1", [second.id, approver])
            #expect(try await Self.billCount(db, period: month) == drafted)
            // ...and drafting the month again clears them first: one bill per account.
            let third = try await draft.run(period: month, by: drafter)
            #expect(try await Self.billCount(db, period: month) == drafted)
            #expect(try await countRows("bills WHERE period = $1::date AND bill_run_id <> $2", db, [month.first.description, third.id]) == 0)
        }
    }

    @Test("an issued bill and the ledger cannot be changed or deleted")
    func issuedIsFinal() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            for statement: SQL in [
                "UPDATE bills SET total = 0", "DELETE FROM bills", "UPDATE bill_lines SET amount = 0", "DELETE FROM bill_lines",
                "UPDATE ledger_entries SET amount = 0", "DELETE FROM ledger_entries",
            ] {
                await #expect(throws: DatabaseError.self, "\(statement)") { try await db.query(statement) }
            }
            // Marking a bill disputed (BL-7) is the one change an issued bill takes.
            try await db.query("UPDATE bills SET disputed = true WHERE id = (SELECT min(id) FROM bills)")
        }
    }

    @Test("verify-ledger finds a balance that does not match its entries")
    func verifyFindsTampering() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            #expect(try await VerifyLedger(database: db).run().isSound)
            try await db.query("UPDATE account_balances SET balance = balance + 1 WHERE account_id = (SELECT min(account_id) FROM account_balances)")
            let report = try await VerifyLedger(database: db).run()
            #expect(report.problems.count == 1)
            #expect(report.problems.first?.contains(DemoAccounts.accounts[0].number) == true)
        }
    }

    @Test("a month without a reading is estimated from the usual use, and the next reading trues it up")
    func estimateThenTrueUp() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            let months = TestBilling.recentMonths
            let account = DemoAccounts.accounts[0].number
            try await installMeter(db, account: account, daysAgo: 200, initial: 1_000)
            // Steady use of 10 units a day before the first month, read at each month's end.
            let before = months[0].previous.previous
            try await TestBilling.reading(db, value: 1_300, on: before.last)
            try await TestBilling.reading(db, value: 1_300 + 10 * Int64(months[0].previous.days), on: months[0].previous.last)
            let opening = 1_300 + 10 * Int64(months[0].previous.days)
            try await TestBilling.reading(db, value: opening + 300, on: months[0].last)
            try await TestBilling.issue(months[0], db, drafter: drafter, approver: approver)
            // No reading in the second month: estimated.
            try await TestBilling.issue(months[1], db, drafter: drafter, approver: approver)
            let estimate = try await db.query(
                "SELECT b.units, b.estimated, b.exception FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.account_number = $1 AND b.period = $2::date",
                [account, months[1].first.description]
            ).rows[0]
            #expect(try estimate.decode("estimated", as: Bool.self))
            #expect(try estimate.decode("exception", as: String.self) == "no_reading")
            let estimated: Int64 = try estimate.decode("units")
            #expect(estimated > 0)
            // The third month is read: 700 units since the first month's reading.
            try await TestBilling.reading(db, value: opening + 300 + 700, on: months[2].last)
            try await TestBilling.issue(months[2], db, drafter: drafter, approver: approver)
            let trueUp = try await db.query(
                "SELECT b.units, b.estimated, b.true_up_units FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.account_number = $1 AND b.period = $2::date",
                [account, months[2].first.description]
            ).rows[0]
            #expect(try trueUp.decode("estimated", as: Bool.self) == false)
            #expect(try trueUp.decode("true_up_units", as: Int64.self) == estimated)
            #expect(try trueUp.decode("units", as: Int64.self) == 700 - estimated)
            // Over the three months, exactly the metered use was billed.
            let billed = try await db.query(
                "SELECT sum(b.units) AS units FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.account_number = $1", [account]
            ).rows[0].decode("units", as: Int64.self)
            #expect(billed == 300 + 700)
        }
    }

    @Test("months are billed in order: not before the previous month's run is issued, never after a later month")
    func monthsInOrder() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            let months = TestBilling.recentMonths
            let draft = DraftBillRun(database: db, settings: TestBilling.settings)
            let open = try await draft.run(period: months[1], by: drafter)
            await #expect(throws: DraftBillRun.Refused.previousMonthOpen(months[2])) { try await draft.run(period: months[2], by: drafter) }
            try await ApproveBillRun(database: db).run(open.id, by: approver)
            _ = try await IssueBillRun(database: db, settings: TestBilling.settings).run(open.id)
            try await TestBilling.issue(months[2], db, drafter: drafter, approver: approver)
            await #expect(throws: DraftBillRun.Refused.laterMonthBilled(months[0])) { try await draft.run(period: months[0], by: drafter) }
        }
    }

    @Test("a month not yet over, or without a tariff, is refused with what to do")
    func refusals() async throws {
        try await withTestDatabase { db in
            try await DemoAccounts.seed(db)
            let (drafter, _) = try await TestBilling.financeStaff(db)
            let draft = DraftBillRun(database: db, settings: TestBilling.settings)
            let current = BillingPeriod.current(SystemClock())
            await #expect(throws: DraftBillRun.Refused.monthNotOver(current)) { try await draft.run(period: current, by: drafter) }
            let month = TestBilling.recentMonths[2]
            await #expect(throws: DraftBillRun.Refused.noTariff(categories: ["commercial", "industrial", "residential"], month)) {
                try await draft.run(period: month, by: drafter)
            }
            #expect(try await countRows("bill_runs", db) == 0)
        }
    }

    @Test("a month is over at the utility's midnight, not UTC's, and bills are dated by its calendar")
    func monthEndsAtLocalMidnight() async throws {
        let month = TestBilling.recentMonths[2]
        // Half past midnight on the 1st in Kolkata: in UTC it is still the month's last evening.
        let instant = try #require(PostgresTimestamp.parse("\(month.next.first) 00:30:00+05:30"))
        let kolkata = try #require(TimeZone(identifier: "Asia/Kolkata"))
        try await TestBilling.withBilling(clock: MovableClock(instant, timeZone: kolkata)) { db, drafter, approver in
            #expect(CalendarDay.current(db.clock) == month.next.first)
            let inUTC = DraftBillRun(database: db, settings: TestBilling.settings, clock: MovableClock(instant))
            await #expect(throws: DraftBillRun.Refused.monthNotOver(month)) { try await inUTC.start(period: month, by: drafter) }
            try await TestBilling.issue(month, db, drafter: drafter, approver: approver)
            let dates = try await db.query("SELECT DISTINCT issued_at::date::text AS issued, due_on::text AS due FROM bills").rows
            #expect(dates.count == 1)
            #expect(try dates[0].decode("issued", as: String.self) == month.next.first.description)
            let due = try #require(PostgresTimestamp.parse("\(month.next.first)"))
                .addingTimeInterval(Double(TestBilling.settings.dueDays) * 86_400)
            #expect(try dates[0].decode("due", as: String.self) == String(PostgresTimestamp.format(due).prefix(10)))
        }
    }

    static func actualBill(units: Int64, closingOn: String) -> DraftBillRun.DraftedBill {
        DraftBillRun.DraftedBill(
            openingOn: nil, openingValue: nil, closingOn: closingOn, closingValue: 10_000, units: units, estimated: false, trueUpUnits: 400,
            writtenOffUnits: nil, billableFrom: nil, exception: nil, lines: [])
    }

    @Test("back-billing is capped: under-billed use before the cap's first month is written off, by days")
    func backBillingIsCapped() async throws {
        let october = try #require(BillingPeriod("2026-10"))
        // Last actual reading on 2024-10-31: 730 days to 2026-10-31. Twelve months back from October
        // 2026 begins on 2025-11-01: 365 of those days.
        var bill = Self.actualBill(units: 1_460, closingOn: "2026-10-31")
        DraftBillRun.capBackBilling(&bill, since: "2024-10-31", period: october, months: 12)
        #expect(bill.units == 730)
        #expect(bill.writtenOffUnits == 730)
        #expect(bill.billableFrom == "2025-11-01")
        // Half up: 1,461 × 365 / 730 = 730.5 → 731.
        var odd = Self.actualBill(units: 1_461, closingOn: "2026-10-31")
        DraftBillRun.capBackBilling(&odd, since: "2024-10-31", period: october, months: 12)
        #expect(odd.units == 731 && odd.writtenOffUnits == 730)
        // A configured cap of 3 months bills August to October only.
        var short = Self.actualBill(units: 730, closingOn: "2026-10-31")
        DraftBillRun.capBackBilling(&short, since: "2024-10-31", period: october, months: 3)
        #expect(short.billableFrom == "2026-08-01")
        #expect(short.units == 92)
        // Rounding can leave nothing to write off: 5 units over 400 days, 366 of them billable.
        var tiny = Self.actualBill(units: 5, closingOn: "2026-10-31")
        DraftBillRun.capBackBilling(&tiny, since: "2025-09-26", period: october, months: 12)
        #expect(tiny.units == 5 && tiny.writtenOffUnits == nil && tiny.billableFrom == nil)
    }

    @Test("use within the cap, and over-estimates, are billed or credited in full")
    func backBillingCapLeavesTheRestAlone() async throws {
        let october = try #require(BillingPeriod("2026-10"))
        var recent = Self.actualBill(units: 900, closingOn: "2026-10-28")
        DraftBillRun.capBackBilling(&recent, since: "2025-11-01", period: october, months: 12)
        #expect(recent.units == 900 && recent.writtenOffUnits == nil && recent.billableFrom == nil)
        // Estimates ran ahead of the meter: nothing to bill, nothing written off.
        var ahead = Self.actualBill(units: 0, closingOn: "2026-10-28")
        DraftBillRun.capBackBilling(&ahead, since: "2023-01-15", period: october, months: 12)
        #expect(ahead.units == 0 && ahead.writtenOffUnits == nil)
        #expect(CalendarDay("2026-10-31")!.ordinal - CalendarDay("2024-10-31")!.ordinal == 730)
        #expect(CalendarDay("1970-01-01")!.ordinal == 0 && CalendarDay("2000-03-01")!.ordinal == 11_017)
    }

    @Test("a bill compares its use with the median of similar premises in its area, once five are read")
    func similarPremisesMedian() async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            let month = TestBilling.recentMonths[2]
            // Five read residential premises in Portview, using 100 to 500 units; the demo's second
            // Portview home has no meter, so its estimate does not count.
            var numbers = [DemoAccounts.accounts[0].number]
            for index in 1...4 {
                let number = "90000000\(index)"
                try await db.query(
                    """
                    INSERT INTO accounts (account_number, category, supply_address, mobile_on_file, holder_name, area)
                    VALUES ($1, 'residential', $2, $3, 'Neighbour', 'Portview')
                    """, [number, "\(index) Quay Row, Portview", "+44770090090\(index)"])
                numbers.append(number)
            }
            for (index, number) in numbers.enumerated() {
                try await installMeter(db, serial: "MTR-SIM-\(index)", account: number, daysAgo: 200, initial: 1_000)
                try await TestBilling.reading(db, account: number, value: 2_000, on: month.previous.last)
                try await TestBilling.reading(db, account: number, value: 2_000 + 100 * Int64(index + 1), on: month.last)
            }
            // An Eastholm home is read too, but alone in its area.
            try await installMeter(db, serial: "MTR-SIM-E", account: DemoAccounts.accounts[2].number, daysAgo: 200, initial: 1_000)
            try await TestBilling.reading(db, account: DemoAccounts.accounts[2].number, value: 1_500, on: month.last)
            try await TestBilling.issue(month, db, drafter: drafter, approver: approver)

            func bill(_ account: String) async throws -> AccountBills.Detail {
                let number: String = try await db.query(
                    "SELECT b.number FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.account_number = $1", [account]
                ).rows[0].decode("number")
                return try await AccountBills(database: db).detail(number: number)
            }
            let mine = try await bill(DemoAccounts.accounts[0].number)
            #expect(mine.summary.units == 100)
            #expect(mine.similar == AccountBills.Similar(category: "residential", area: "Portview", premises: 5, medianUnits: 300))
            #expect(try await bill(DemoAccounts.accounts[2].number).similar == nil)
        }
    }
}
