import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

private let maria = DemoAccounts.accounts[0].number
private let samuel = DemoAccounts.accounts[1].number

@Suite("Operations pages: meters, field work, import, alerts, health (MT-2, MT-4 … MT-7)")
struct OpsPagesTests {

    @Test("an engineer registers a meter; a technician installs it, records its place and exchanges it, all through forms")
    func meterLifecycle() async throws {
        try await withStaff([.engineer, .technician]) { browser, db, _ in
            try await browser.get("/ops/meters")
            let bad = try await browser.post(
                "/ops/meters", [("serial", "x"), ("model", ""), ("kind", "smart"), ("multiplier", "0"), ("digits", "3"), ("key", "")])
            #expect(bad.status == .unprocessableContent)
            for message in [
                "A serial has 4 to 32", "Enter the model", "A multiplier is a whole number", "A register has 4 to 10 digits",
                "A smart meter needs its public key",
            ] {
                #expect(bad.text.contains(message), "\(message)")
            }
            #expect(
                try await browser.post(
                    "/ops/meters", [("serial", "e110-777"), ("model", "Landis E110"), ("kind", "manual"), ("multiplier", "1"), ("digits", "5")]
                ).status == .seeOther)
            #expect(try await browser.get("/ops/meters?q=e110").text.contains("E110-777"))

            let page = try await browser.get("/field/accounts/\(samuel)")
            #expect(page.text.contains("Install a meter"))
            let refused = try await browser.post(
                "/field/accounts/\(samuel)/install", [("serial", "NOPE-1"), ("date", day(ago: 0)), ("initial", "5")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("No meter with serial NOPE-1 is registered."))
            #expect(refused.text.contains(#"value="NOPE-1""#))
            let badPlace = try await browser.post(
                "/field/accounts/\(samuel)/install",
                [("serial", "E110-777"), ("date", day(ago: 0)), ("initial", "5"), ("latitude", "95"), ("longitude", "1")])
            #expect(badPlace.text.contains("Enter the GPS position as decimal degrees"))
            let installed = try await browser.post(
                "/field/accounts/\(samuel)/install",
                [("serial", "E110-777"), ("date", day(ago: 20)), ("initial", "00012"), ("latitude", "51.45"), ("longitude", "-2.59")])
            #expect(installed.headers[.location] == "/field/accounts/\(samuel)")
            #expect(try await browser.get("/field/accounts/\(samuel)").text.contains("Meter E110-777"))

            try await browser.get("/field/accounts/\(samuel)")
            #expect(
                try await browser.post("/field/accounts/\(samuel)/location", [("latitude", "51.46"), ("longitude", "-2.58")]).status == .seeOther)
            #expect(try await countRows("meter_locations", db) == 2)

            try await browser.get("/ops/meters")
            try await browser.post(
                "/ops/meters", [("serial", "E110-778"), ("model", "Landis E110"), ("kind", "manual"), ("multiplier", "1"), ("digits", "5")])
            try await browser.get("/field/accounts/\(samuel)")
            let low = try await browser.post(
                "/field/accounts/\(samuel)/exchange", [("date", day(ago: 0)), ("final", "3"), ("serial", "E110-778"), ("initial", "0")])
            #expect(low.text.contains("The final reading is lower than the last one, 12."))
            #expect(
                try await browser.post(
                    "/field/accounts/\(samuel)/exchange", [("date", day(ago: 0)), ("final", "140"), ("serial", "E110-778"), ("initial", "0")]
                ).status == .seeOther)
            let after = try await browser.get("/field/accounts/\(samuel)")
            #expect(after.text.contains("Meter E110-778"))
            #expect(
                try await countRows("audit_log WHERE action IN ('meter.registered', 'meter.installed', 'meter.exchanged', 'meter.located')", db) == 6)
        }
    }

    @Test("a smart meter is installed only once an engineer has provisioned it")
    func provisionBeforeInstall() async throws {
        try await withStaff([.engineer, .technician]) { browser, db, _ in
            try await browser.get("/ops/meters")
            let key = "02" + String(repeating: "1f", count: 32)
            try await browser.post(
                "/ops/meters", [("serial", "SGM-1"), ("model", "Aclara"), ("kind", "smart"), ("multiplier", "1"), ("digits", "6"), ("key", key)])
            try await browser.get("/field/accounts/\(samuel)")
            let early = try await browser.post("/field/accounts/\(samuel)/install", [("serial", "SGM-1"), ("date", day(ago: 0)), ("initial", "0")])
            #expect(early.text.contains("Smart meter SGM-1 must be provisioned by an engineer before it is installed."))
            let list = try await browser.get("/ops/meters")
            #expect(list.text.contains(#"name="serial" value="SGM-1""#))
            #expect(try await browser.post("/ops/meters/provision", [("serial", "SGM-1")]).headers[.location] == "/ops/meters")
            #expect(try await browser.get("/ops/meters").text.contains("Meter SGM-1 provisioned"))
            try await browser.get("/ops/meters")
            #expect(try await browser.post("/ops/meters/provision", [("serial", "SGM-1")]).status == .notFound, "provisioned already")
            try await browser.get("/field/accounts/\(samuel)")
            #expect(
                try await browser.post("/field/accounts/\(samuel)/install", [("serial", "SGM-1"), ("date", day(ago: 0)), ("initial", "0")]).status
                    == .seeOther)
            #expect(try await countRows("meters WHERE serial = 'SGM-1' AND status = 'installed'", db) == 1)
        }
    }

    @Test("a meter reader reads but installs nothing and reaches no ops or admin page")
    func readerPermissions() async throws {
        try await withStaff([.meterReader]) { (browser: TestBrowser, _: Database, _: AppServices) async throws in
            #expect(!(try await browser.get("/field/accounts/\(maria)").text.contains("Meter work")))
            for path in [
                "/ops/meters", "/ops/readings/import", "/ops/alerts", "/ops/health", "/admin/accounts", "/admin/accounts/\(maria)", "/admin/staff",
            ] {
                #expect(try await browser.get(path).status == .forbidden, "\(path)")
            }
            try await browser.get("/field")
            #expect(
                try await browser.post("/field/accounts/\(samuel)/install", [("serial", "X"), ("date", day(ago: 0)), ("initial", "1")]).status
                    == .forbidden)
            try await browser.get("/field")
            #expect(try await browser.post("/admin/accounts/\(maria)", [("holder_name", "Hijacked")]).status == .forbidden)
        }
    }

    @Test("finance imports a CSV through the upload form; a bad file lists its lines and imports nothing; no token, no import")
    func importThroughTheForm() async throws {
        try await withStaff([.finance]) { browser, db, _ in
            try await installMeter(db)
            let page = try await browser.get("/ops/readings/import")
            #expect(page.text.contains(#"enctype="multipart/form-data""#))
            let bad = try await browser.postFile(
                "/ops/readings/import", fileName: "round.csv", content: "account_number,date,value\n\(maria),\(day(ago: 5)),900\n999,\(day(ago: 5)),1"
            )
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("Nothing was imported: 2 lines need fixing."))
            #expect(bad.text.contains("<td>2</td><td>The value 900 is lower than the reading before it, 1000.</td>"))
            #expect(bad.text.contains("<td>3</td><td>The account number must be 6 to 16 digits.</td>"))
            try await browser.get("/ops/readings/import")
            let none = try await browser.postFile("/ops/readings/import", fileName: "empty.csv", content: "")
            #expect(none.text.contains("Choose a CSV file to import."))
            try await browser.get("/ops/readings/import")
            #expect(try await browser.postFile("/ops/readings/import", fileName: "r.csv", content: "x", withToken: false).status == .forbidden)
            try await browser.get("/ops/readings/import")
            let good = try await browser.postFile(
                "/ops/readings/import", fileName: "round.csv", content: "account_number,date,value\n\(maria),\(day(ago: 5)),1300\n")
            #expect(good.status == .ok)
            #expect(good.text.contains("Imported 1 readings from round.csv."))
            #expect(try await countRows("readings_raw WHERE source = 'import'", db) == 1)
        }
    }

    @Test("staff acknowledge an alert and correct its reading from the alert list")
    func alertsAndCorrections() async throws {
        try await withStaff([.support]) { browser, db, _ in
            try await installMeter(db, daysAgo: 100, initial: 1000)
            try await recordReading(db, value: 1500, daysAgo: 50)
            #expect(try await recordReading(db, value: 9500, daysAgo: 40) == .recorded(consumption: 8000, flag: .highUse))
            let list = try await browser.get("/ops/alerts")
            #expect(list.text.contains("spike"))
            #expect(list.text.contains("Correct reading 9500 to"))
            let readingID: Int64 = try await db.query("SELECT id FROM readings WHERE value = 9500").rows[0].decode("id")
            let noReason = try await browser.post("/ops/readings/correct", [("reading", String(readingID)), ("value", "1600"), ("reason", "")])
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.text.contains("Say why the reading is corrected"))
            try await browser.get("/ops/alerts")
            let corrected = try await browser.post(
                "/ops/readings/correct", [("reading", String(readingID)), ("value", "1600"), ("reason", "Extra digit typed")])
            #expect(corrected.headers[.location] == "/ops/alerts")
            #expect(try await browser.get("/ops/alerts").text.contains("Reading corrected."))
            #expect(
                try await db.query("SELECT consumption FROM current_readings WHERE read_on = $1::date", [day(ago: 40)]).rows[0].decode(
                    "consumption", as: Int64.self) == 100)
            let alertID: Int64 = try await db.query("SELECT id FROM consumption_alerts").rows[0].decode("id")
            try await browser.get("/ops/alerts")
            #expect(try await browser.post("/ops/alerts/acknowledge", [("alert", String(alertID))]).status == .seeOther)
            #expect(try await browser.get("/ops/alerts").text.contains("No alerts match."))
            #expect(try await browser.get("/ops/alerts?show=all&kind=spike").text.contains("acknowledged by sam.staff"))
            try await browser.get("/ops/alerts")
            #expect(try await browser.post("/ops/alerts/acknowledge", [("alert", String(alertID))]).status == .notFound)
        }
    }

    @Test("the health page lists smart meters silent longer than asked, and those never heard from")
    func silentMeters() async throws {
        try await withStaff([.technician]) { browser, db, _ in
            let key = "03" + String(repeating: "cd", count: 32)
            for (index, account) in DemoAccounts.accounts.prefix(3).enumerated() {
                _ = try await RegisterMeter(database: db).run(
                    .init(serial: "SM-\(index)", model: "Aclara", kind: "smart", publicKey: key), by: nil, clientAddress: nil)
                #expect(
                    try await ProvisionMeter(database: db).run(
                        serial: "SM-\(index)", by: try await db.query("SELECT id FROM users").rows[0].decode("id"), clientAddress: nil))
                _ = try await InstallMeter(database: db).run(
                    serial: "SM-\(index)", accountNumber: account.number, on: try #require(CalendarDay(day(ago: 30))), initialReading: 0,
                    location: nil, by: nil, clientAddress: nil)
            }
            try await db.withConnection { connection in
                let ids = try connection.query("SELECT id FROM meters ORDER BY serial").rows.map { try $0.decode("id", as: Int64.self) }
                try MeterHealth.report(on: connection, meterID: ids[0], signal: -70, voltage: 231.5, relay: "connected", tamper: false)
                try MeterHealth.report(on: connection, meterID: ids[1], signal: -90, voltage: 229, relay: "connected", tamper: true)
            }
            try await db.query(
                "UPDATE meter_health SET last_seen_at = now() - interval '3 days' WHERE meter_id = (SELECT id FROM meters WHERE serial = 'SM-1')")
            // A bridge's report shows in its table.
            try await BridgeReports(database: db).record(
                .init(name: "bridge-east", startedAt: Date(), connected: 41, verified: 1234, refused: ["replayed": 2], backlog: 0))
            let page = try await browser.get("/ops/health?hours=24")
            #expect(page.text.contains("<td>bridge-east</td><td>41</td><td>1234</td><td>replayed 2</td>"))
            #expect(!page.text.contains("<td>SM-0</td>"))
            #expect(page.text.contains("<td>SM-1</td>"))
            #expect(page.text.contains("<td>SM-2</td>"))
            #expect(page.text.contains("never"))
            #expect(try await countRows("consumption_alerts WHERE kind = 'tamper'", db) == 1, "a tamper flag raises one alert")
            #expect(try await browser.get("/ops/health?hours=lots").text.contains("Enter a number of hours from 1 to 8760."))
        }
    }

    @Test("an admin creates and changes utility accounts; bad input is refused field by field")
    func adminAccounts() async throws {
        try await withStaff([.admin]) { browser, db, _ in
            try await browser.get("/admin/accounts")
            let bad = try await browser.post(
                "/admin/accounts",
                [
                    ("account_number", "12"), ("holder_name", ""), ("supply_address", "x"), ("area", ""), ("category", "castle"),
                    ("billing_type", "barter"), ("mobile", "123"),
                ])
            #expect(bad.status == .unprocessableContent)
            for message in [
                "An account number has 6 to 16 digits.", "Enter the holder", "Enter the supply address", "Enter the area", "Choose residential",
                "Choose postpaid", "Enter the mobile with its country code",
            ] {
                #expect(bad.text.contains(message), "\(message)")
            }
            let fields = [
                ("account_number", "555000111"), ("holder_name", "Ada <b>Lovelace</b>"), ("supply_address", "1 Engine Row, Portview"),
                ("area", "Portview"),
                ("category", "residential"), ("billing_type", "prepaid"), ("status", "active"), ("mobile", "+44 7700 900555"),
            ]
            #expect(try await browser.post("/admin/accounts", fields).headers[.location] == "/admin/accounts")
            #expect(try await browser.get("/admin/accounts").text.contains("Account 555000111 created."))
            #expect(try await browser.post("/admin/accounts", fields).text.contains("There is an account with this number already."))
            let found = try await browser.get("/admin/accounts?q=lovelace")
            #expect(found.text.contains("/admin/accounts/555000111"))
            #expect(found.text.contains("Ada &lt;b&gt;Lovelace&lt;/b&gt;"))
            let edit = try await browser.get("/admin/accounts/555000111")
            #expect(edit.text.contains(#"<option value="prepaid" selected>"#))
            var changed = fields.filter { $0.0 != "account_number" }
            changed.removeAll { $0.0 == "status" }
            changed.append(("status", "disconnected"))
            #expect(try await browser.post("/admin/accounts/555000111", changed).headers[.location] == "/admin/accounts/555000111")
            #expect(
                try await db.query("SELECT status FROM accounts WHERE account_number = '555000111'").rows[0].decode("status", as: String.self)
                    == "disconnected")
            #expect(try await browser.get("/admin/accounts/000000000").status == .notFound)
            #expect(try await countRows("audit_log WHERE action IN ('account.created', 'account.changed')", db) == 2)
        }
    }

    @Test("multipart bodies: fields and a file are read; a broken body is refused")
    func multipart() {
        let body = Array(
            "--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nline1\r\nline2\r\n--XyZ--\r\n"
                .utf8)
        let form = MultipartForm.parse(body, boundary: "XyZ")
        #expect(form?["_csrf"]?.text == "tok")
        #expect(form?["file"]?.fileName == "a.csv")
        #expect(form?["file"]?.text == "line1\r\nline2")
        #expect(MultipartForm.parse(Array("no boundary here".utf8), boundary: "XyZ") == nil)
    }
}
