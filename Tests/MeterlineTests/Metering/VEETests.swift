import Foundation
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

private let maria = DemoAccounts.accounts[0].number

/// A reader's id, for actions that record who acted.
private func staffID(_ db: Database) async throws -> Int64 {
    try await db.query("SELECT id FROM users WHERE kind = 'staff' ORDER BY id LIMIT 1").rows[0].decode("id")
}

@Suite("Estimates and corrections (MT-5)")
struct VEETests {

    @Test("a period end without a reading is estimated from the same days last year when the history reaches back")
    func estimateFromLastYear() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            try await installMeter(db, daysAgo: 500, initial: 0)
            // Last year: 10 a day up to 400 days ago, then 30 a day (winter) up to 330 days ago, then 10 a day again.
            try await recordReading(db, value: 1000, daysAgo: 400)
            try await recordReading(db, value: 3100, daysAgo: 330)
            try await recordReading(db, value: 6000, daysAgo: 40)
            let outcome = try await EstimateReading(database: db).estimate(
                accountNumber: maria, periodEnd: try #require(CalendarDay(day(ago: 5))), by: nil)
            // From the last reading (40 days ago) to 5 days ago, a year earlier: 405..370 days ago,
            // 5 days at 10 and 30 days at 30: 950 (the recent average would give 350).
            guard case .estimated(let value, let used, let basis) = outcome else {
                Issue.record("\(outcome)")
                return
            }
            #expect(basis == .lastYear)
            #expect(abs(used - 950) <= 1)
            #expect(value == 6000 + used)
            let row = try await db.query("SELECT kind, raw_id, reason FROM current_readings ORDER BY read_on DESC LIMIT 1").rows[0]
            #expect(try row.decode("kind", as: String.self) == "estimated")
            #expect(try row.decode("raw_id", as: Int64?.self) == nil)
            #expect(try row.decode("reason", as: String.self).contains("same period last year"))
        }
    }

    @Test("without a year of history the estimate uses the recent average daily use")
    func estimateFromRecentAverage() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            try await installMeter(db, daysAgo: 100, initial: 500)
            try await recordReading(db, value: 1500, daysAgo: 50)
            let outcome = try await EstimateReading(database: db).estimate(
                accountNumber: maria, periodEnd: try #require(CalendarDay(day(ago: 20))), by: nil)
            // 1000 units in 50 days = 20 a day; 30 days after the last reading: 600.
            #expect(outcome == .estimated(value: 2100, consumption: 600, basis: .recentAverage))
            // An actual reading later follows the estimate and counts from it.
            #expect(try await recordReading(db, value: 2300, daysAgo: 10) == .recorded(consumption: 200, flag: nil))
        }
    }

    @Test("a day that has a reading is not estimated, and a premise without history cannot be")
    func nothingToEstimate() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            try await installMeter(db, daysAgo: 30, initial: 500)
            let estimate = EstimateReading(database: db)
            guard case .cannotEstimate = try await estimate.estimate(accountNumber: maria, periodEnd: try #require(CalendarDay(day(ago: 1))), by: nil)
            else {
                Issue.record("estimated without history")
                return
            }
            try await recordReading(db, value: 700, daysAgo: 10)
            #expect(
                try await estimate.estimate(accountNumber: maria, periodEnd: try #require(CalendarDay(day(ago: 10))), by: nil)
                    == .actualExists(value: 700))
            guard
                case .cannotEstimate = try await estimate.estimate(
                    accountNumber: "100200301", periodEnd: try #require(CalendarDay(day(ago: 1))), by: nil)
            else {
                Issue.record("estimated a premise without a meter")
                return
            }
        }
    }

    @Test("a correction is a new reading naming the one it replaces; the next reading's units are recounted; a chain keeps every step")
    func correctionChain() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            try await installMeter(db, daysAgo: 90, initial: 1000)
            try await recordReading(db, value: 1900, daysAgo: 60)  // misread: should be 1300
            try await recordReading(db, value: 2000, daysAgo: 30)
            let wrong: Int64 = try await db.query("SELECT id FROM readings WHERE value = 1900").rows[0].decode("id")
            let correct = CorrectReading(database: db)
            let by = try await staffID(db)
            await #expect(throws: CorrectReading.Refused(message: "Say why the reading is corrected (3 to 500 characters).")) {
                try await correct.correct(readingID: wrong, value: 1300, reason: " ", by: by, clientAddress: nil)
            }
            await #expect(throws: CorrectReading.Refused.self) {
                try await correct.correct(readingID: wrong, value: 2100, reason: "higher than the next", by: by, clientAddress: nil)
            }
            let first = try await correct.correct(readingID: wrong, value: 1350, reason: "Digits misread in the rain", by: by, clientAddress: nil)
            let second = try await correct.correct(readingID: first, value: 1300, reason: "Checked the photo again", by: by, clientAddress: nil)
            let current = try await db.query(
                "SELECT value, consumption, kind FROM current_readings WHERE kind <> 'initial' ORDER BY read_on"
            ).rows
            #expect(try current.map { try $0.decode("value", as: Int64.self) } == [1300, 2000])
            #expect(try current.map { try $0.decode("consumption", as: Int64.self) } == [300, 700])
            // Every step stays: the misread, both corrections, the original and recounted next readings.
            #expect(try await countRows("readings WHERE read_on = $1::date", db, [day(ago: 60)]) == 3)
            let chain = try await db.query("SELECT corrects_id FROM readings WHERE id = $1", [second]).rows[0].decode("corrects_id", as: Int64?.self)
            #expect(chain == first)
            // A reading that was replaced cannot be corrected again.
            await #expect(throws: CorrectReading.Refused.self) {
                try await correct.correct(readingID: wrong, value: 1200, reason: "again", by: by, clientAddress: nil)
            }
            #expect(try await countRows("audit_log WHERE action = 'reading.corrected'", db) == 2)
        }
    }
}

@Suite("Meter registry (MT-2)")
struct MeterRegistryTests {
    @Test("a meter is registered with its details; bad details are each refused with a message")
    func register() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let register = RegisterMeter(database: db)
            let key = "02" + String(repeating: "ab", count: 32)
            _ = try await register.run(
                .init(serial: "sm-0001", model: "Aclara SGM1", kind: "smart", publicKey: key.uppercased()), by: nil, clientAddress: nil)
            let stored = try await db.query("SELECT serial, public_key, register_digits FROM meters").rows[0]
            #expect(try stored.decode("serial", as: String.self) == "SM-0001")
            #expect(try stored.decode("public_key", as: String.self) == key)
            do {
                _ = try await register.run(
                    .init(serial: "x", model: "", kind: "nuclear", multiplier: "0", registerDigits: "12", publicKey: "04abc"), by: nil,
                    clientAddress: nil)
                Issue.record("accepted")
            } catch let refused as RegisterMeter.Refused {
                #expect(Set(refused.problems.keys) == [.serial, .model, .kind, .multiplier, .registerDigits, .publicKey])
            }
            await #expect(throws: RegisterMeter.Refused(problems: [.publicKey: "A smart meter needs its public key, to check what it signs."])) {
                try await register.run(.init(serial: "SM-0002", model: "Aclara", kind: "smart"), by: nil, clientAddress: nil)
            }
            await #expect(throws: RegisterMeter.Refused(problems: [.serial: "A meter with this serial is registered already."])) {
                try await register.run(.init(serial: "SM-0001", model: "Aclara", kind: "manual"), by: nil, clientAddress: nil)
            }
        }
    }

    @Test("a meter stands at one premise at a time, and a premise has one live meter")
    func oneAtATime() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            try await installMeter(db)
            let install = InstallMeter(database: db)
            let today = try #require(CalendarDay(day(ago: 0)))
            await #expect(throws: InstallMeter.Refused.self) {
                try await install.run(
                    serial: "MTR-TEST-1", accountNumber: "100200301", on: today, initialReading: 0, location: nil, by: nil, clientAddress: nil)
            }
            _ = try await RegisterMeter(database: db).run(.init(serial: "MTR-TEST-2", model: "E110", kind: "manual"), by: nil, clientAddress: nil)
            await #expect(throws: InstallMeter.Refused(message: "Account \(maria) has a meter already: exchange it instead.")) {
                try await install.run(
                    serial: "MTR-TEST-2", accountNumber: maria, on: today, initialReading: 0, location: nil, by: nil, clientAddress: nil)
            }
            // The database refuses it too, whoever writes.
            await #expect(throws: DatabaseError.self) {
                try await db.query(
                    "INSERT INTO meter_installations (meter_id, account_id, installed_on, initial_reading) SELECT m.id, i.account_id, current_date, 0 FROM meters m, meter_installations i WHERE m.serial = 'MTR-TEST-2'"
                )
            }
            #expect(InstallMeter.Location(latitude: "91", longitude: "0") == nil)
            #expect(InstallMeter.Location(latitude: "51.5", longitude: "abc") == nil)
        }
    }

    @Test("a meter exchange closes the old meter with its final reading and opens the new one; history stays")
    func exchange() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            try await installMeter(db, daysAgo: 90, initial: 1000)
            try await recordReading(db, value: 1400, daysAgo: 30)
            _ = try await RegisterMeter(database: db).run(.init(serial: "MTR-NEW-1", model: "E110", kind: "manual"), by: nil, clientAddress: nil)
            let exchange = ExchangeMeter(database: db)
            let today = try #require(CalendarDay(day(ago: 10)))
            await #expect(throws: InstallMeter.Refused.self) {
                try await exchange.run(
                    accountNumber: maria, on: today, finalReading: 1300, newSerial: "MTR-NEW-1", newInitialReading: 0, by: nil, clientAddress: nil)
            }
            #expect(try await countRows("meter_installations", db) == 1, "a refused exchange changes nothing")
            _ = try await exchange.run(
                accountNumber: maria, on: today, finalReading: 1550, newSerial: "MTR-NEW-1", newInitialReading: 7, by: nil, clientAddress: nil)
            let old = try await db.query(
                "SELECT i.removed_on IS NOT NULL AS closed, i.final_reading, m.status FROM meter_installations i JOIN meters m ON m.id = i.meter_id WHERE m.serial = 'MTR-TEST-1'"
            ).rows[0]
            #expect(try old.decode("closed", as: Bool.self))
            #expect(try old.decode("final_reading", as: Int64.self) == 1550)
            #expect(try old.decode("status", as: String.self) == "removed")
            #expect(try await countRows("readings WHERE kind = 'final' AND consumption = 150", db) == 1)
            // The next reading counts from the new meter's initial reading.
            #expect(try await recordReading(db, value: 57, daysAgo: 0) == .recorded(consumption: 50, flag: nil))
            #expect(try await countRows("readings", db) == 5)
        }
    }
}
