import Foundation
import MeterSimulator
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

/// The UTC day `days` ago, as a date field holds it.
func day(ago days: Int) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let date = calendar.date(byAdding: .day, value: -days, to: Date())!
    let c = calendar.dateComponents([.year, .month, .day], from: date)
    return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
}

/// Registers a manual meter and installs it at `account`, `daysAgo` days ago, as an engineer
/// and a technician would.
@discardableResult
func installMeter(
    _ db: Database, serial: String = "MTR-TEST-1", account: String = DemoAccounts.accounts[0].number, daysAgo: Int = 120,
    initial: Int64 = 1000, digits: Int = 6, multiplier: Int = 1
) async throws -> Int64 {
    try await RegisterMeter(database: db).run(
        .init(serial: serial, model: "Landis E110", kind: "manual", multiplier: String(multiplier), registerDigits: String(digits)),
        by: nil, clientAddress: nil)
    return try await InstallMeter(database: db).run(
        serial: serial, accountNumber: account, on: try #require(CalendarDay(day(ago: daysAgo))), initialReading: initial,
        location: InstallMeter.Location(latitude: "51.5", longitude: "-2.6"), by: nil, clientAddress: nil)
}

/// Stores a reading through the same action the field form uses, with a fresh form key.
@discardableResult
func recordReading(
    _ db: Database, account: String = DemoAccounts.accounts[0].number, value: Int64, daysAgo: Int, factor: Int = 3
) async throws -> RecordReading.Outcome {
    try await RecordReading(database: db, highUseFactor: factor).record(
        .init(
            accountNumber: account, value: String(value), date: day(ago: daysAgo), note: nil,
            idempotencyKey: FieldAccount.ReadingForm.newKey(), readerID: try await anyStaffID(db), clientAddress: "test"))
}

private func anyStaffID(_ db: Database) async throws -> Int64 {
    if let id: Int64 = try await db.query("SELECT id FROM users WHERE kind = 'staff' ORDER BY id LIMIT 1").rows.first?.decode("id") {
        return id
    }
    return try await db.query(
        """
        INSERT INTO users (username, full_name, password_hash, kind, roles, status)
        VALUES ('rita.reader', 'Rita Reader', '$argon2id$placeholder', 'staff', '{meter_reader}', 'active') RETURNING id
        """
    ).rows[0].decode("id")
}

func countRows(_ sql: SQL, _ db: Database, _ parameters: [any SQLEncodable] = []) async throws -> Int {
    try await db.query("SELECT count(*) AS n FROM \(sql)", parameters).rows[0].decode("n")
}

/// Registers `serials` as provisioned smart meters whose keys are meter-sim's for `seed`, as the
/// engineering CLI would (`meter-sim keys | meterline meters set-keys`).
func registerSimulatedMeters(_ serials: [String], seed: String, _ db: Database) async throws {
    try await db.query(
        """
        INSERT INTO meters (serial, model, kind, public_key, status)
        SELECT s, 'Simulated', 'smart', '02' || repeat('ab', 32), 'provisioned' FROM unnest($1::text[]) AS s
        """, [TextList(serials)])
    let keys = serials.map { "\($0)\t\(Hex.encode(SimulatedMeter.key(seed: seed, serial: $0).publicKey.compressed))" }
    #expect(try await SetMeterKeys(database: db).run(keys.joined(separator: "\n"), by: nil) == serials.count)
}
