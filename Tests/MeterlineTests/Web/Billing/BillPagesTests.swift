import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Accounts
@testable import Billing
@testable import Identity
@testable import Metering
@testable import Platform
@testable import Web

/// BL-2, BL-3 through the web: finance runs a month with four eyes; a consumer follows a bill.
@Suite("Bill pages (BL-2, BL-3)")
struct BillPagesTests {
    @Test("a consumer sees their bill explained line by line; someone else's bill is not found")
    func consumerReadsTheirBill() async throws {
        try await withMember { browser, db in
            try await TestBilling.seedTariffs(db)
            let (drafter, approver) = try await TestBilling.financeStaff(db)
            let month = TestBilling.recentMonths[2]
            try await TestBilling.issue(month, db, drafter: drafter, approver: approver)
            let numbers = try await db.query(
                "SELECT a.account_number, b.number FROM bills b JOIN accounts a ON a.id = b.account_id"
            ).rows.reduce(into: [String: String]()) { $0[try $1.decode("account_number")] = try $1.decode("number") }
            let own = try #require(numbers[DemoAccounts.accounts[0].number])
            let other = try #require(numbers[DemoAccounts.accounts[1].number])

            try await browser.get("/login")
            try await browser.post("/login", [("login", Member.username), ("password", Member.password)])
            let premise = try await browser.get(Routes.site.premise.url(DemoAccounts.accounts[0].number)).text
            #expect(premise.contains(Routes.site.bill.url(own)))
            #expect(premise.contains(month.name))

            let page = try await browser.get(Routes.site.bill.url(own))
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("Your bill for \(month.name)"))
            #expect(html.contains("Domestic tariff in force from"))
            #expect(html.contains("Fixed charge"))
            #expect(html.contains("£8.00 a month = £8.00"))
            #expect(html.contains("Electricity duty"))
            // No reading on a meterless demo account: the bill says it is an estimate.
            #expect(html.contains("Estimated reading"))

            // Credited by finance: the bill says why, and the premise page marks it.
            _ = try await IssueCreditNote(database: db, settings: TestBilling.settings).run(
                billNumber: own, reason: "Your meter was read at the wrong premise", by: drafter)
            let cancelled = try await browser.get(Routes.site.bill.url(own)).text
            #expect(cancelled.contains("This bill is cancelled: credit note CN-"))
            #expect(cancelled.contains("Reason: Your meter was read at the wrong premise"))
            #expect(try await browser.get(Routes.site.premise.url(DemoAccounts.accounts[0].number)).text.contains(">credited</span>"))

            #expect(try await browser.get(Routes.site.bill.url(other)).status == .notFound)
            #expect(try await browser.get(Routes.site.bill.url("MTL-0000-000000")).status == .notFound)
            #expect(try await browser.get("/account/bills/%00").status != .internalServerError)
        }
    }

    @Test("finance drafts a month; the drafter cannot approve it; a second finance user approves and it is issued")
    func financeRunsAMonthWithFourEyes() async throws {
        try await withStaff([.finance], username: "fred.finance") { browser, db, services in
            try await TestBilling.seedTariffs(db)
            let month = TestBilling.recentMonths[2]

            let index = try await browser.get(Routes.site.billRuns.url())
            #expect(index.status == .ok)
            let bad = try await browser.post(Routes.site.billRuns.url(), [("period", "October")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("Give the month as YYYY-MM"))
            let future = try await browser.post(
                Routes.site.billRuns.url(), [("period", BillingPeriod.current(SystemClock()).description)])
            #expect(future.status == .unprocessableContent)
            #expect(future.text.contains("is not over yet"))

            let started = try await browser.post(Routes.site.billRuns.url(), [("period", month.description)])
            #expect(started.status == .seeOther)
            let runPage = try #require(started.headers[.location])
            let run = try await Self.waitFor(.draft, month: month, db)

            let preview = try await browser.get(runPage).text
            #expect(preview.contains("Bill run: \(month.name)"))
            #expect(preview.contains("a second finance user approves it"))
            #expect(!preview.contains("Approve and issue"))
            let refused = try await browser.post(Routes.site.billRunApprove.url(String(run.id)))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("a second finance user must approve it"))

            // A second finance user signs in and approves.
            let created = try await CreateStaff(database: db, passwords: services.passwords).run(
                username: "gina.finance", fullName: "Gina Finance", roles: [.finance], by: nil, clientAddress: "test")
            let second = TestBrowser(browser.client)
            try await firstSignIn(second, db, username: "gina.finance", initial: created.initialPassword, newPassword: "another finance sentence")
            #expect(try await second.get(runPage).text.contains("Approve and issue"))
            let approved = try await second.post(Routes.site.billRunApprove.url(String(run.id)))
            #expect(approved.headers[.location] == runPage)
            _ = try await Self.waitFor(.issued, month: month, db)
            #expect(try await second.get(runPage).text.contains("Issued"))
            #expect(try await countRows("bills WHERE number IS NOT NULL", db) == DemoAccounts.accounts.count)
            #expect(try await VerifyLedger(database: db).run().isSound)
            #expect(try await countRows("audit_log WHERE action IN ('bill_run.drafted', 'bill_run.approved')", db) == 2)
        }
    }

    @Test("finance discards a draft from its page: the run says discarded at once, its bills go, and the month can be drafted again")
    func financeDiscardsADraft() async throws {
        try await withStaff([.finance], username: "fred.finance") { browser, db, _ in
            try await TestBilling.seedTariffs(db)
            let month = TestBilling.recentMonths[2]
            _ = try await browser.post(Routes.site.billRuns.url(), [("period", month.description)])
            let run = try await Self.waitFor(.draft, month: month, db)
            #expect(try await countRows("bills WHERE bill_run_id = $1", db, [run.id]) > 0)

            let discarded = try await browser.post(Routes.site.billRunDiscard.url(String(run.id)))
            #expect(discarded.headers[.location] == Routes.site.billRuns.url())
            #expect(try await browser.get(Routes.site.billRuns.url()).text.contains("The draft was discarded"))
            #expect(
                try await db.query("SELECT status FROM bill_runs WHERE id = $1", [run.id]).rows[0].decode("status", as: String.self) == "discarded")
            // Its bills are deleted in the background.
            var left = 1
            for _ in 0..<100 where left > 0 {
                left = try await countRows("bills WHERE bill_run_id = $1", db, [run.id])
                if left > 0 { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(left == 0)
            // A second discard of the same run is refused with why.
            let again = try await browser.post(Routes.site.billRunDiscard.url(String(run.id)))
            #expect(again.status == .unprocessableContent)
            #expect(again.text.contains("only a drafted run, not yet approved, can be discarded"))
            // The month can be drafted again.
            let restarted = try await browser.post(Routes.site.billRuns.url(), [("period", month.description)])
            #expect(restarted.status == .seeOther)
            #expect(try await Self.waitFor(.draft, month: month, db).id != run.id)
        }
    }

    @Test("finance finds a bill by its number and cancels it with a credit note; bad input is refused with what to do")
    func financeCreditsABill() async throws {
        try await withStaff([.finance], username: "fred.finance") { browser, db, _ in
            try await TestBilling.seedTariffs(db)
            let (drafter, approver) = try await TestBilling.financeStaff(db)
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            let number: String = try await db.query("SELECT number FROM bills ORDER BY number LIMIT 1").rows[0].decode("number")

            #expect(try await browser.get(Routes.site.financeBills.url()).text.contains("Bill number"))
            let missing = try await browser.get(Routes.site.financeBills.url(query: [("number", "mtl-1999-000001")]))
            #expect(missing.status == .notFound)
            #expect(missing.text.contains("No issued bill has the number MTL-1999-000001."))
            let found = try await browser.get(Routes.site.financeBills.url(query: [("number", " \(number.lowercased()) ")]))
            #expect(found.headers[.location] == Routes.site.financeBill.url(number))
            let page = try await browser.get(Routes.site.financeBill.url(number)).text
            #expect(page.contains("Cancel with a credit note"))

            let noReason = try await browser.post(Routes.site.financeBillCredit.url(number), [("reason", " ")])
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.text.contains("Say why the bill is credited"))
            #expect(try await countRows("credit_notes", db) == 0)
            let credited = try await browser.post(Routes.site.financeBillCredit.url(number), [("reason", "Reading taken at the wrong premise")])
            #expect(credited.headers[.location] == Routes.site.financeBill.url(number))
            let after = try await browser.get(Routes.site.financeBill.url(number)).text
            #expect(after.contains("Credit note CN-"))
            #expect(after.contains("This bill is cancelled"))
            #expect(!after.contains("Cancel with a credit note"))
            let twice = try await browser.post(Routes.site.financeBillCredit.url(number), [("reason", "Once more, by mistake")])
            #expect(twice.status == .conflict)
            #expect(twice.text.contains("is already credited"))
            #expect(try await countRows("credit_notes", db) == 1)
            #expect(try await browser.post(Routes.site.financeBillCredit.url("MTL-1999-000001"), [("reason", "No such bill")]).status == .notFound)
            // Credited and billed again: the corrected bill's page says what it replaces.
            let second: String = try await db.query("SELECT number FROM bills WHERE number <> $1 ORDER BY number LIMIT 1", [number]).rows[0]
                .decode("number")
            try await browser.get(Routes.site.financeBill.url(second))
            let rebilled = try await browser.post(
                Routes.site.financeBillCredit.url(second), [("reason", "Estimate made on the wrong meter"), ("rebill", "yes")])
            let corrected = try #require(rebilled.headers[.location])
            #expect(corrected != Routes.site.financeBill.url(second))
            let correctedPage = try await browser.get(corrected).text
            #expect(correctedPage.contains("This bill replaces bill \(second)"))
            #expect(correctedPage.contains("This is the corrected bill"))
            #expect(try await VerifyLedger(database: db).run().isSound)
        }
    }

    @Test("the defaulters page and its CSV show the same accounts and the same total")
    func defaultersCSVMatchesThePage() async throws {
        try await withStaff([.finance], username: "fred.finance") { browser, db, _ in
            try await TestBilling.seedTariffs(db)
            let (drafter, approver) = try await TestBilling.financeStaff(db)
            // A month billed long enough ago that its bills are overdue: issued 60 days back.
            let issuedAt = MovableClock(Date().addingTimeInterval(-60 * 86_400))
            let month = BillingPeriod.current(issuedAt).previous
            let run = try await DraftBillRun(database: db, settings: TestBilling.settings, clock: issuedAt).run(period: month, by: drafter)
            try await ApproveBillRun(database: db, clock: issuedAt).run(run.id, by: approver)
            _ = try await IssueBillRun(database: db, settings: TestBilling.settings, clock: issuedAt).run(run.id)

            let page = try await browser.get(Routes.site.defaulters.url())
            #expect(page.status == .ok)
            let total = try await db.query("SELECT sum(balance) AS total FROM account_balances").rows[0].decode("total", as: Int64.self)
            #expect(page.text.contains("\(DemoAccounts.accounts.count) accounts owe"))
            #expect(page.text.contains(Currency.poundSterling.format(Money(minorUnits: total))))

            let csv = try await browser.get(Routes.site.defaultersCSV.url())
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = csv.text.split(separator: "\r\n").map(String.init)
            #expect(lines.count == DemoAccounts.accounts.count + 1)
            let balances = lines.dropFirst().map { line -> Int64 in
                let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                return Currency.poundSterling.parse(fields[3])!.minorUnits
            }
            #expect(balances.reduce(0, +) == total)
            // The area filter narrows both; an unknown area means every area.
            let portview = try await browser.get(Routes.site.defaultersCSV.url(query: [("area", "Portview")])).text
            #expect(portview.split(separator: "\r\n").count < lines.count)
            #expect(try await browser.get(Routes.site.defaulters.url(query: [("area", "Nowhere\u{0}")])).status != .internalServerError)
        }
    }

    @Test("finance reports: what was billed equals the ledger, on the page and in the CSV")
    func reportsReconcileToTheLedger() async throws {
        try await withStaff([.finance], username: "fred.finance") { browser, db, _ in
            try await TestBilling.seedTariffs(db)
            let (drafter, approver) = try await TestBilling.financeStaff(db)
            for month in TestBilling.recentMonths.suffix(2) { try await TestBilling.issue(month, db, drafter: drafter, approver: approver) }
            let ledger = try await db.query("SELECT sum(amount) AS total FROM ledger_entries WHERE kind = 'bill'").rows[0].decode(
                "total", as: Int64.self)

            let page = try await browser.get(Routes.site.financeReports.url())
            #expect(page.status == .ok)
            #expect(page.text.contains(Currency.poundSterling.format(Money(minorUnits: ledger))))
            let csv = try await browser.get(Routes.site.financeReportsCSV.url(query: [("report", "billed")])).text
            let billed = csv.split(separator: "\r\n").dropFirst().map { line in
                Currency.poundSterling.parse(line.split(separator: ",")[2].trimmingCharacters(in: CharacterSet(charactersIn: "\"")))!.minorUnits
            }
            #expect(billed.reduce(0, +) == ledger)
            // Use and revenue of last month add up to that month's bills.
            let month = TestBilling.recentMonths[2]
            let usage = try await browser.get(Routes.site.financeReportsCSV.url(query: [("report", "usage"), ("period", month.description)])).text
            let revenue = usage.split(separator: "\r\n").dropFirst().filter { $0.hasPrefix("\"category\"") }.map { line in
                Currency.poundSterling.parse(line.split(separator: ",")[4].trimmingCharacters(in: CharacterSet(charactersIn: "\"")))!.minorUnits
            }
            let monthTotal = try await db.query("SELECT sum(total) AS total FROM bills WHERE period = $1::date", [month.first.description]).rows[0]
                .decode("total", as: Int64.self)
            #expect(revenue.reduce(0, +) == monthTotal)
            #expect(try await browser.get(Routes.site.financeReports.url(query: [("period", "not-a-month")])).status == .ok)
        }
    }

    @Test("an admin sees every tariff version in words")
    func tariffsPage() async throws {
        try await withStaff([.admin], username: "ada.admin") { browser, db, _ in
            try await TestBilling.seedTariffs(db)
            let page = try await browser.get(Routes.site.adminTariffs.url())
            #expect(page.status == .ok)
            #expect(page.text.contains("Residential: Domestic"))
            #expect(page.text.contains("units 101–300 at £0.18"))
            #expect(page.text.contains("Industrial: Industrial"))
            #expect(page.text.components(separatedBy: "Residential: Domestic").count == 2, "one heading per category")
        }
    }

    @Test("an admin adds a tariff version: prefilled form, mistakes named by field and line, sample bills, then saved")
    func adminAddsATariffVersion() async throws {
        try await withStaff([.admin], username: "ada.admin") { browser, db, _ in
            try await TestBilling.seedTariffs(db)
            let form = Routes.site.adminTariffVersionNew.url("residential")
            #expect(try await browser.get(Routes.site.adminTariffs.url()).text.contains(form))
            let page = try await browser.get(form).text
            #expect(page.contains("100 at 0.12\n300 at 0.18\nabove at 0.24"))
            #expect(page.contains("Electricity duty: 5% of energy"))
            #expect(page.contains("VAT: 5% of subtotal"))
            let next = BillingPeriod.current(SystemClock()).next.first.description
            var fields = [
                ("tariffName", "Domestic"), ("effectiveFrom", next), ("note", "Tariff order 2026/14"), ("blockMode", "telescopic"),
                ("dayBasis", "30"), ("blocks", "100 at 0.12\n300 at 0.20\nabove at 0.27"), ("fixedCharge", "8.00 a month"),
                ("minimumCharge", ""), ("surcharges", "Electricity duty: 5% of energy"), ("taxes", "VAT: 5% of subtotal"), ("lateFee", "5.00"),
            ]
            func with(_ name: String, _ value: String) -> [(String, String)] { fields.map { $0.0 == name ? ($0.0, value) : $0 } }

            let badBlock = try await browser.post(form, with("blocks", "100 at 0.12\n300 for 0.20\nabove at 0.27") + [("intent", "preview")])
            #expect(badBlock.status == .unprocessableContent)
            #expect(badBlock.text.contains("Line 2: write a block as"))
            let badTax = try await browser.post(form, with("taxes", "VAT 5%") + [("intent", "save")])
            #expect(badTax.status == .unprocessableContent)
            #expect(badTax.text.contains("Line 1: write a tax as"))
            let unordered = try await browser.post(form, with("blocks", "300 at 0.12\n100 at 0.20\nabove at 0.27") + [("intent", "preview")])
            #expect(unordered.status == .unprocessableContent)
            #expect(unordered.text.contains("block 2 must end above 300 units"))
            let badDate = try await browser.post(form, with("effectiveFrom", "next month") + [("intent", "preview")])
            #expect(badDate.text.contains("as YYYY-MM-DD"))

            let preview = try await browser.post(form, fields + [("intent", "preview")])
            #expect(preview.status == .ok)
            #expect(preview.text.contains("Sample bills for a 30-day month"))
            #expect(preview.text.contains("Save this version"))
            let fingerprint = try #require(preview.text.firstMatch(of: /name="previewed" value="([^"]+)"/)).1
            // Saving a form changed after its preview shows the new sample bills instead.
            let changed = try await browser.post(form, with("lateFee", "6.00") + [("intent", "save"), ("previewed", String(fingerprint))])
            #expect(changed.status == .ok)
            #expect(changed.text.contains("The form changed after its preview"))
            #expect(try await countRows("tariff_versions", db) == 3)
            fields.append(("previewed", String(fingerprint)))

            let saved = try await browser.post(form, fields + [("intent", "save")])
            #expect(saved.headers[.location] == Routes.site.adminTariffs.url())
            #expect(try await countRows("tariff_versions", db) == 4)
            let index = try await browser.get(Routes.site.adminTariffs.url()).text
            #expect(index.contains("The residential tariff has a new version from"))
            #expect(index.contains("units 101–300 at £0.20"))
            // The same day twice, or a month already billed, is refused at the date.
            let again = try await browser.post(form, fields + [("intent", "save")])
            #expect(again.status == .unprocessableContent)
            #expect(again.text.contains("A version already starts on"))
            #expect(try await browser.get(Routes.site.adminTariffVersionNew.url("spaceships")).status == .notFound)
        }
    }

    /// The run's work happens in the background: wait (at most ten seconds) for its status.
    static func waitFor(_ status: BillRun.Status, month: BillingPeriod, _ db: Database) async throws -> BillRun {
        for _ in 0..<200 {
            if let run = try await BillRun.live(for: month, in: db), run.status == status { return run }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the run of \(month) did not reach \(status)")
        throw CancellationError()
    }
}
