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

/// A reader signed in, with a meter installed 120 days ago at María's premise reading 1000.
private func withReader(_ body: @escaping @Sendable (TestBrowser, Database) async throws -> Void) async throws {
    try await withStaff([.meterReader]) { browser, db, _ in
        try await installMeter(db)
        try await body(browser, db)
    }
}

/// Opens the premise page and posts the reading form with its key.
@discardableResult
private func submit(_ browser: TestBrowser, value: String, date: String, note: String = "", key: String? = nil) async throws -> TestResponse {
    let page = try await browser.get("/field/accounts/\(maria)")
    let shown = page.text.firstMatch(of: /name="key" value="([^"]+)"/).map { String($0.1) }
    let formKey = try #require(key ?? shown)
    return try await browser.post("/field/accounts/\(maria)/readings", [("value", value), ("date", date), ("note", note), ("key", formKey)])
}

@Suite("Field: finding a premise and entering a reading (MT-3, MT-4)")
struct FieldReadingTests {

    @Test("a reader finds a premise by account number, name, address or meter serial")
    func search() async throws {
        try await withReader { browser, _ in
            // As a browser sends a GET form: spaces as "+".
            #expect(try await browser.get("/field?q=harbour+street").text.contains("/field/accounts/\(maria)"))
            for query in ["1002003", "lópez", "MARÍA", "harbour street", "harbour portview", "mtr-test", "MTR-TEST-1"] {
                let page = try await browser.get("/field?q=\(TestBrowser.encode(query))")
                #expect(page.status == .ok)
                #expect(page.text.contains("/field/accounts/\(maria)"), "searching \(query)")
            }
            let none = try await browser.get("/field?q=nowhere+at+all")
            #expect(none.text.contains("No premise matches"))
            let short = try await browser.get("/field?q=ab")
            #expect(short.text.contains("Type at least 3 letters or digits"))
            // LIKE wildcards are searched for as themselves.
            #expect(!(try await browser.get("/field?q=%25%25%25").text.contains("/field/accounts/")))
        }
    }

    @Test("words are found by their beginnings, across punctuation, and follow a renamed account")
    func wordIndex() async throws {
        try await withReader { browser, db in
            try await db.query("UPDATE accounts SET holder_name = 'Siobhán O''Neill-Smith' WHERE account_number = $1", [maria])
            for query in ["neill", "o'neill smith", "siobh", "SIOBHÁN", "neill harbour portv"] {
                #expect(try await browser.get("/field?q=\(TestBrowser.encode(query))").text.contains("/field/accounts/\(maria)"), "\(query)")
            }
            for query in ["lópez", "eill", "neill mill"] {
                #expect(!(try await browser.get("/field?q=\(TestBrowser.encode(query))").text.contains("/field/accounts/\(maria)")), "\(query)")
            }
            #expect(try await countRows("account_search_words WHERE word = 'lópez'", db) == 0)
        }
    }

    @Test("a reading is saved, and the premise page shows it with the units used since the last")
    func saveReading() async throws {
        try await withReader { browser, db in
            let saved = try await submit(browser, value: "001 250", date: day(ago: 0), note: "Dog in garden")
            #expect(saved.status == .seeOther)
            #expect(saved.headers[.location] == "/field/accounts/\(maria)")
            let page = try await browser.get("/field/accounts/\(maria)")
            #expect(page.text.contains("Reading saved."))
            // The notice is shown once, and only after a real save: a link cannot fake it.
            #expect(!(try await browser.get("/field/accounts/\(maria)").text.contains("Reading saved.")))
            #expect(!(try await browser.get("/field/accounts/\(maria)?saved=1").text.contains("Reading saved.")))
            #expect(page.text.contains("<td>1250</td><td>250</td>"))
            let raw = try await db.query("SELECT value, source, note, payload->>'value' AS typed FROM readings_raw").rows[0]
            #expect(try raw.decode("value", as: Int64.self) == 1250)
            #expect(try raw.decode("source", as: String.self) == "manual")
            #expect(try raw.decode("note", as: String.self) == "Dog in garden")
            #expect(try raw.decode("typed", as: String.self) == "001 250")
        }
    }

    @Test("a reading lower than the last is refused with the last reading in the message, and nothing is stored")
    func lowerReadingRefused() async throws {
        try await withReader { browser, db in
            try await recordReading(db, value: 1500, daysAgo: 30)
            let refused = try await submit(browser, value: "1499", date: day(ago: 0))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("This is lower than the last reading, 1500 on \(day(ago: 30))"))
            #expect(refused.text.contains(#"value="1499""#), "what was typed is kept")
            #expect(try await countRows("readings_raw", db) == 1)
        }
    }

    @Test("a register that turned over counts the units across zero")
    func rollover() async throws {
        try await withStaff([.meterReader]) { browser, db, _ in
            try await installMeter(db, initial: 9_950, digits: 4)
            #expect(try await recordReading(db, value: 30, daysAgo: 10) == .recorded(consumption: 80, flag: nil))
            // Not near the top and bottom: a lower reading is a mistake, not a turn-over.
            await #expect(throws: RecordReading.Refused.self) { try await recordReading(db, value: 29, daysAgo: 5) }
            await #expect(throws: RecordReading.Refused.self) { try await recordReading(db, value: 10_000, daysAgo: 5) }
        }
    }

    @Test("a multiplier counts units per register step")
    func multiplier() async throws {
        try await withStaff([.meterReader]) { _, db, _ in
            try await installMeter(db, initial: 100, multiplier: 10)
            #expect(try await recordReading(db, value: 150, daysAgo: 10) == .recorded(consumption: 500, flag: nil))
        }
    }

    @Test("a date in the future, before the installation, before the last reading, or not a date is refused")
    func badDates() async throws {
        try await withReader { browser, db in
            try await recordReading(db, value: 1100, daysAgo: 20)
            let cases = [
                (day(ago: -1), "The date cannot be in the future."),
                (day(ago: 200), "This meter was installed on \(day(ago: 120)); the date cannot be earlier."),
                (day(ago: 30), "The last reading was taken on \(day(ago: 20)); this date cannot be earlier."),
                ("2026-02-30", "Enter the date the meter was read, as YYYY-MM-DD."),
                ("yesterday", "Enter the date the meter was read, as YYYY-MM-DD."),
            ]
            for (date, message) in cases {
                let response = try await submit(browser, value: "1200", date: date)
                #expect(response.status == .unprocessableContent, "date \(date)")
                #expect(response.text.contains(message), "date \(date)")
            }
            #expect(try await countRows("readings_raw", db) == 1)
        }
    }

    @Test("bad values and notes get messages next to the field, never a 500, and nothing is stored")
    func badInput() async throws {
        try await withReader { browser, db in
            for value in ["", "12a4", "-5", "1.5", "12345678901", "1000000", "<script>alert(1)</script>", "١٢٣"] {
                let response = try await submit(browser, value: value, date: day(ago: 0))
                #expect(response.status == .unprocessableContent, "value \(value)")
                #expect(!response.text.contains("<script>alert(1)"))
            }
            let long = try await submit(browser, value: "1200", date: day(ago: 0), note: String(repeating: "n", count: 501))
            #expect(long.text.contains("Keep the note under 500 characters."))
            let noKey = try await submit(browser, value: "1200", date: day(ago: 0), key: "")
            #expect(noKey.status == .unprocessableContent)
            #expect(noKey.text.contains("This form has expired"))
            let broken = try await browser.postRaw("/field/accounts/\(maria)/readings", body: Array("value=%ZZ&date=".utf8) + [0xff])
            #expect(broken.status == .badRequest)
            #expect(try await countRows("readings_raw", db) == 0)
        }
    }

    @Test("the same form submitted twice, one after the other or at once, stores one reading")
    func idempotentSubmit() async throws {
        try await withReader { browser, db in
            let page = try await browser.get("/field/accounts/\(maria)")
            let key = String(try #require(page.text.firstMatch(of: /name="key" value="([^"]+)"/)).1)
            let fields = [("value", "1300"), ("date", day(ago: 0)), ("key", key)]
            #expect(try await browser.post("/field/accounts/\(maria)/readings", fields).status == .seeOther)
            try await browser.get("/field/accounts/\(maria)")
            #expect(try await browser.post("/field/accounts/\(maria)/readings", fields).status == .seeOther)
            #expect(try await countRows("readings_raw", db) == 1)

            let reader = RecordReading(database: db, highUseFactor: 3)
            let staffID: Int64 = try await db.query("SELECT id FROM users WHERE kind = 'staff'").rows[0].decode("id")
            let input = RecordReading.Input(
                accountNumber: maria, value: "1400", date: day(ago: 0), note: nil, idempotencyKey: "same-key-twice-at-once",
                readerID: staffID, clientAddress: "test")
            async let first = reader.record(input)
            async let second = reader.record(input)
            let outcomes = try await [first, second]
            #expect(outcomes.filter { $0 == .alreadyRecorded }.count == 1)
            #expect(try await countRows("readings_raw", db) == 2)
        }
    }

    @Test("a reading far above the usual use is stored but flagged, raises an alert, and the consumer is told")
    func highUseFlagged() async throws {
        try await withReader { browser, db in
            try await db.query(
                """
                INSERT INTO users (username, full_name, password_hash, mobile, account_id, status, mobile_verified_at)
                SELECT 'maria.lopez', 'María López', '$argon2id$placeholder', $1, id, 'active', now() FROM accounts WHERE account_number = $2
                """, [DemoAccounts.accounts[0].mobile, maria])
            // 10 a day for 90 days, then 60 a day for 10 days: six times the usual.
            try await recordReading(db, value: 1900, daysAgo: 30)
            let response = try await submit(browser, value: "2500", date: day(ago: 20))
            #expect(response.headers[.location] == "/field/accounts/\(maria)")
            #expect(try await browser.get("/field/accounts/\(maria)").text.contains("flagged for review"))
            #expect(try await db.query("SELECT flag FROM readings WHERE value = 2500").rows[0].decode("flag", as: String?.self) == "high_use")
            let alert = try await db.query("SELECT kind, detail FROM consumption_alerts").rows[0]
            #expect(try alert.decode("kind", as: String.self) == "spike")
            #expect(
                try await countRows("notifications WHERE purpose = 'consumption_alert' AND recipient = $1", db, [DemoAccounts.accounts[0].mobile])
                    == 1)
            // Within three times the usual: not flagged.
            #expect(try await recordReading(db, value: 2700, daysAgo: 10) == .recorded(consumption: 200, flag: nil))
        }
    }

    @Test("a month with no use on a live premise is flagged as zero use")
    func zeroUse() async throws {
        try await withReader { _, db in
            try await recordReading(db, value: 1900, daysAgo: 60)
            #expect(try await recordReading(db, value: 1900, daysAgo: 20) == .recorded(consumption: 0, flag: .zeroUse))
            #expect(try await countRows("consumption_alerts WHERE kind = 'zero_use'", db) == 1)
        }
    }

    @Test("a premise without a meter says so; an unknown account is a 404")
    func noMeter() async throws {
        try await withStaff([.meterReader]) { browser, db, _ in
            let page = try await browser.get("/field/accounts/\(maria)")
            #expect(page.text.contains("no meter installed"))
            await #expect(throws: RecordReading.Refused.self) { try await recordReading(db, value: 5, daysAgo: 0) }
            #expect(try await browser.get("/field/accounts/999999999").status == .notFound)
        }
    }

    @Test("raw readings can never be changed or deleted, whoever asks")
    func rawIsAppendOnly() async throws {
        try await withReader { _, db in
            try await recordReading(db, value: 1100, daysAgo: 1)
            for sql: SQL in ["UPDATE readings_raw SET value = 1", "DELETE FROM readings_raw", "TRUNCATE readings_raw CASCADE"] {
                do {
                    try await db.query(sql)
                    Issue.record("\(sql) was allowed")
                } catch let error as DatabaseError {
                    #expect(error.message.contains("append-only"), "\(sql)")
                }
            }
            #expect(try await countRows("readings_raw WHERE value = 1100", db) == 1)
        }
    }

    @Test("only roles that read meters see field pages: others 403, consumers and visitors 404")
    func permissions() async throws {
        try await withStaff([.support]) { (browser: TestBrowser, _: Database, _: AppServices) async throws in
            #expect(try await browser.get("/field").status == .forbidden)
            #expect(try await browser.get("/field/accounts/\(maria)").status == .forbidden)
        }
        try await withMember { browser, _ in
            #expect(try await browser.get("/field").status == .notFound)
            try await browser.get("/login")
            try await browser.post("/login", [("login", Member.username), ("password", Member.password)])
            #expect(try await browser.get("/field?q=maria").status == .notFound)
            try await browser.get("/account")
            #expect(
                try await browser.post("/field/accounts/\(maria)/readings", [("value", "1"), ("date", day(ago: 0)), ("key", "k")]).status == .notFound
            )
        }
    }
}
