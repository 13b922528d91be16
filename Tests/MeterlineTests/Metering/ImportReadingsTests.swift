import Foundation
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("Importing readings from CSV (MT-4)")
struct ImportReadingsTests {
    private func withMeters(_ body: @escaping @Sendable (Database, Int64) async throws -> Void) async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            try await installMeter(db, serial: "MTR-A", account: "100200300", daysAgo: 100, initial: 1000)
            try await installMeter(db, serial: "MTR-B", account: "100200301", daysAgo: 100, initial: 9990, digits: 4)
            let id: Int64 = try await db.query(
                "INSERT INTO users (username, full_name, password_hash, kind, roles, status) VALUES ('fin', 'Fin', '$argon2id$x', 'staff', '{finance}', 'active') RETURNING id"
            ).rows[0].decode("id")
            try await body(db, id)
        }
    }

    @Test("a good file is imported whole: raw rows as evidence, readings with the units used, a register turning over")
    func goodFile() async throws {
        try await withMeters { db, by in
            let csv = """
                account_number,date,value,note\r
                100200300,\(day(ago: 60)),1200,\r
                100200300,\(day(ago: 30)),"1,450"\r
                100200301,\(day(ago: 30)),0005,"Gate code 12, ""blue"" door"\r

                """
            let outcome = try await ImportReadings(database: db).run(
                csv: csv.replacingOccurrences(of: "\"1,450\"", with: "1450"), fileName: "round-7.csv", by: by, clientAddress: nil)
            #expect(outcome == .imported(count: 3, skipped: 0))
            let rows = try await db.query(
                "SELECT a.account_number, r.value, r.consumption FROM current_readings r JOIN accounts a ON a.id = r.account_id WHERE r.kind = 'actual' ORDER BY a.account_number, r.read_on"
            ).rows.map {
                [
                    try $0.decode("account_number", as: String.self), String(try $0.decode("value", as: Int64.self)),
                    String(try $0.decode("consumption", as: Int64.self)),
                ]
            }
            #expect(rows == [["100200300", "1200", "200"], ["100200300", "1450", "250"], ["100200301", "5", "15"]])
            let note: String = try await db.query("SELECT note FROM readings_raw WHERE value = 5").rows[0].decode("note")
            #expect(note == #"Gate code 12, "blue" door"#)
            #expect(try await countRows("readings_raw WHERE source = 'import' AND payload->>'file' = 'round-7.csv'", db) == 3)
        }
    }

    @Test("importing the same file twice stores each reading once; a spreadsheet's byte-order mark is read past")
    func sameFileTwice() async throws {
        try await withMeters { (db: Database, by: Int64) async throws in
            let csv = "\u{FEFF}account_number,date,value\r\n100200300,\(day(ago: 60)),1200\r\n100200300,\(day(ago: 30)),1450\r\n"
            let importer = ImportReadings(database: db)
            #expect(try await importer.run(csv: csv, fileName: "a.csv", by: by, clientAddress: nil) == .imported(count: 2, skipped: 0))
            #expect(try await importer.run(csv: csv, fileName: "a.csv", by: by, clientAddress: nil) == .imported(count: 0, skipped: 2))
            #expect(try await countRows("readings_raw WHERE source = 'import'", db) == 2)
            // The same day with another value is a conflict, not a duplicate.
            let changed = "account_number,date,value\n100200300,\(day(ago: 30)),1460\n"
            #expect(
                try await importer.run(csv: changed, fileName: "b.csv", by: by, clientAddress: nil)
                    == .refused([.init(line: 2, message: "Account 100200300 already has the reading 1450 on \(day(ago: 30)).")]))
        }
    }

    @Test("a NUL character in a cell refuses its line with a clear message")
    func nulInCell() async throws {
        try await withMeters { (db: Database, by: Int64) async throws in
            let outcome = try await ImportReadings(database: db).run(
                csv: "account_number,date,value,note\n100200300,\(day(ago: 30)),1200,bad\u{0}note\n", fileName: "n.csv", by: by, clientAddress: nil)
            #expect(
                outcome == .refused([.init(line: 2, message: "The line holds a NUL character, which cannot be stored. Remove it and try again.")]))
        }
    }

    @Test("a file with bad lines imports nothing and reports every bad line with its number")
    func badLines() async throws {
        try await withMeters { db, by in
            let csv = """
                account_number,date,value
                100200300,\(day(ago: 60)),1200
                999999999,\(day(ago: 50)),5
                100200302,\(day(ago: 50)),5
                100200300,2026-02-30,1300
                100200300,\(day(ago: 40)),abc
                100200300,\(day(ago: 30)),1100
                100200300,\(day(ago: -3)),1600
                100200301,\(day(ago: 300)),1
                100200301,\(day(ago: 20)),10000
                100200300,\(day(ago: 20))
                100200301,\(day(ago: 10)),3
                100200301,\(day(ago: 10)),4
                """
            guard case .refused(let errors) = try await ImportReadings(database: db).run(csv: csv, fileName: "bad.csv", by: by, clientAddress: nil)
            else {
                Issue.record("a bad file was imported")
                return
            }
            #expect(errors.map(\.line) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])
            let byLine = Dictionary(uniqueKeysWithValues: errors.map { ($0.line, $0.message) })
            #expect(byLine[3] == "There is no account 999999999.")
            #expect(byLine[4] == "Account 100200302 has no meter installed.")
            #expect(byLine[5] == "The date must be a real day written YYYY-MM-DD.")
            #expect(byLine[6] == "The value must be the digits of the register.")
            #expect(byLine[7] == "The value 1100 is lower than the reading before it, 1200.")
            #expect(byLine[8]?.contains("is in the future") == true)
            #expect(byLine[9]?.contains("The meter was installed on") == true)
            #expect(byLine[10] == "The register has 4 digits, so a reading is at most 9999.")
            #expect(byLine[11] == "Expected 3 fields, found 2.")
            #expect(byLine[12]?.contains("more than one reading on") == true)
            #expect(try await countRows("readings_raw", db) == 0)
            #expect(try await countRows("readings WHERE kind <> 'initial'", db) == 0)
        }
    }

    @Test("a file without the expected header, empty, or with an open quote is refused")
    func badFiles() async throws {
        try await withMeters { db, by in
            let importer = ImportReadings(database: db)
            for (csv, message) in [
                ("", "The file is empty."),
                ("account,when,reading\n1,2,3", "The first line must be"),
                ("account_number,date,value\n", "There are no readings after the header."),
                ("account_number,date,value\n100200300,\"2026-01-01,5", "A quoted field is not closed."),
            ] {
                guard case .refused(let errors) = try await importer.run(csv: csv, fileName: "x.csv", by: by, clientAddress: nil) else {
                    Issue.record("imported \(csv)")
                    continue
                }
                #expect(errors.first?.message.hasPrefix(message) == true, "\(csv)")
            }
        }
    }

    @Test("CSV records: quotes, doubled quotes, commas and line breaks inside quotes, CRLF")
    func csvReader() throws {
        let records = try CSVReader.records("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",x\n\nlast")
        #expect(
            records == [
                .init(line: 1, fields: ["a", "b,c", "say \"hi\""]),
                .init(line: 2, fields: ["two\nlines", "x"]),
                .init(line: 5, fields: ["last"]),
            ])
    }
}

@Suite("Calendar days as typed")
struct CalendarDayTests {
    @Test("real days only: leap years, month lengths, exact format")
    func parsing() {
        #expect(CalendarDay("2024-02-29")?.description == "2024-02-29")
        #expect(CalendarDay(" 2026-11-23 ")?.description == "2026-11-23")
        for bad in [
            "2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-1-5", "26-11-23", "2026/11/23", "２０２６-11-23", "",
            "3000-01-01",
        ] {
            #expect(CalendarDay(bad) == nil, "\(bad)")
        }
        #expect(CalendarDay("2000-02-29") != nil)
    }
}
