import Foundation
import MeterBridge
import MeterProtocol
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

/// A smart meter registered with a real key, installed at the first demo account 60 days ago.
struct TestSmartMeter {
    static let serial = "SGM-1"
    let key = SimulatedMeterKeys.key("SGM-1")

    static func install(_ db: Database) async throws -> TestSmartMeter {
        let meter = TestSmartMeter()
        try await DemoAccounts.seed(db)
        _ = try await RegisterMeter(database: db).run(
            .init(serial: serial, model: "Aclara", kind: "smart", publicKey: Hex.encode(meter.key.publicKey.compressed)), by: nil, clientAddress: nil)
        let admin: Int64 = try await db.query(
            "INSERT INTO users (username, full_name, password_hash, kind, roles, status) VALUES ('eng', 'Eng', '$argon2id$x', 'staff', '{engineer}', 'active') RETURNING id"
        ).rows[0].decode("id")
        #expect(try await ProvisionMeter(database: db).run(serial: serial, by: admin, clientAddress: nil))
        _ = try await InstallMeter(database: db).run(
            serial: serial, accountNumber: DemoAccounts.accounts[0].number, on: try #require(CalendarDay(day(ago: 60))), initialReading: 1000,
            location: nil, by: admin, clientAddress: nil)
        return meter
    }

    /// A signed reading, `kWh` on the register, `daysAgo` days ago at `hour` UTC, as the bridge spools it.
    func reading(_ sequence: UInt64, kWh: Int64, daysAgo: Int, hour: Int = 0, minute: Int = 10) -> String {
        let message = MeterMessage(
            kind: .reading, meter: Self.serial, sequence: sequence, time: time(daysAgo: daysAgo, hour: hour, minute: minute),
            wattHours: kWh * 1000 + 400)
        return DeviceRecord.line(message, frame: try! SignedFrame.encode(message, with: key))
    }

    func health(_ sequence: UInt64, tamper: Bool, signal: Int = -70, daysAgo: Int = 0) -> String {
        let message = MeterMessage(
            kind: .health, meter: Self.serial, sequence: sequence, time: time(daysAgo: daysAgo, hour: 1, minute: 0), decivolts: 2301, signal: signal,
            relay: .on, tamper: tamper)
        return DeviceRecord.line(message, frame: try! SignedFrame.encode(message, with: key))
    }

    private func time(daysAgo: Int, hour: Int, minute: Int) -> Int64 {
        let midnight = (Int64(Date().timeIntervalSince1970) / 86_400 - Int64(daysAgo)) * 86_400
        return midnight + Int64(hour * 3600 + minute * 60)
    }
}

/// Keys the tests sign with, derived as the simulator derives them.
enum SimulatedMeterKeys {
    static func key(_ serial: String) -> Secp256k1.PrivateKey {
        var material = Digest.sha256(Array("test \(serial)".utf8))
        while true {
            if let key = Secp256k1.PrivateKey(material) { return key }
            material = Digest.sha256(material)
        }
    }
}

@Suite("Batches of meter messages from a bridge (MT-4, MT-6, MT-7, BR-1)")
struct StoreDeviceMessagesTests {
    private func withSmartMeter(_ body: @escaping @Sendable (Database, TestSmartMeter, StoreDeviceMessages) async throws -> Void) async throws {
        try await withTestDatabase { (db: Database) async throws in
            let meter = try await TestSmartMeter.install(db)
            try await body(db, meter, StoreDeviceMessages(database: db, highUseFactor: 3))
        }
    }

    private func batch(_ lines: String...) -> [UInt8] { Array(lines.joined().utf8) }

    @Test("each message is stored once: the same batch again stores nothing, and the signed frame is kept as it came")
    func idempotentOnSequence() async throws {
        try await withSmartMeter { (db: Database, meter: TestSmartMeter, store: StoreDeviceMessages) async throws in
            let lines = batch(meter.reading(1, kWh: 1300, daysAgo: 30), meter.reading(2, kWh: 1600, daysAgo: 1))
            #expect(try await store.store(lines) == .init(stored: 2, duplicates: 0, unknownMeters: 0, readings: 2))
            #expect(try await store.store(lines) == .init(stored: 0, duplicates: 2, unknownMeters: 0, readings: 0))
            async let a = store.store(batch(meter.reading(3, kWh: 1700, daysAgo: 0)))
            async let b = store.store(batch(meter.reading(3, kWh: 1700, daysAgo: 0)))
            #expect(try await [a, b].map(\.stored).sorted() == [0, 1])
            #expect(try await countRows("readings_raw WHERE source = 'bridge'", db) == 3)
            let frame: String = try await db.query("SELECT payload->>'frame' AS f FROM readings_raw WHERE device_sequence = 1").rows[0].decode("f")
            #expect(frame.hasSuffix(#""wh":1300400}"#))
            #expect(frame.count == 128 + frame.drop(while: { $0 != "{" }).count)
            let last: Int64 = try await db.query("SELECT last_sequence FROM meter_health").rows[0].decode("last_sequence")
            #expect(last == 3)
        }
    }

    @Test("the first reading of a day becomes the day's reading; later ones that day are kept raw only")
    func dailyRegisterRead() async throws {
        try await withSmartMeter { (db: Database, meter: TestSmartMeter, store: StoreDeviceMessages) async throws in
            let outcome = try await store.store(
                batch(
                    meter.reading(1, kWh: 1100, daysAgo: 2, hour: 0), meter.reading(2, kWh: 1105, daysAgo: 2, hour: 12),
                    meter.reading(3, kWh: 1110, daysAgo: 1, hour: 0)))
            #expect(outcome.readings == 2)
            #expect(try await store.store(batch(meter.reading(4, kWh: 1112, daysAgo: 1, hour: 6))).readings == 0)
            let readings = try await db.query("SELECT value, consumption FROM readings WHERE kind = 'actual' ORDER BY read_on").rows
            #expect(try readings.map { try $0.decode("value", as: Int64.self) } == [1100, 1110])
            #expect(try readings.map { try $0.decode("consumption", as: Int64.self) } == [100, 10])
        }
    }

    @Test("a register that runs backwards is kept, flagged as reverse flow, and raises an alert; a spike too")
    func reverseFlowAndSpike() async throws {
        try await withSmartMeter { (db: Database, meter: TestSmartMeter, store: StoreDeviceMessages) async throws in
            _ = try await store.store(batch(meter.reading(1, kWh: 1300, daysAgo: 30), meter.reading(2, kWh: 1250, daysAgo: 20)))
            let alert = try await db.query("SELECT kind, detail FROM consumption_alerts").rows[0]
            #expect(try alert.decode("kind", as: String.self) == "reverse_flow")
            #expect(try alert.decode("detail", as: String.self).contains("ran backwards by 50 units"))
            _ = try await store.store(batch(meter.reading(3, kWh: 2300, daysAgo: 10)))
            #expect(try await countRows("consumption_alerts WHERE kind = 'spike'", db) == 1)
        }
    }

    @Test("days that arrive together after an outage are each judged against the day before; a spike among them tells the owner once")
    func backlogJudgedDayByDay() async throws {
        try await withSmartMeter { (db: Database, meter: TestSmartMeter, store: StoreDeviceMessages) async throws in
            try await db.query(
                """
                INSERT INTO users (username, full_name, password_hash, mobile, account_id, status, mobile_verified_at)
                SELECT 'owner', 'Owner', '$argon2id$placeholder', $1, id, 'active', now() FROM accounts WHERE account_number = $2
                """, [DemoAccounts.accounts[0].mobile, DemoAccounts.accounts[0].number])
            // Ten a day, then 310 a day for five days (a spike), then ten a day again.
            let outcome = try await store.store(
                batch(
                    meter.reading(1, kWh: 1300, daysAgo: 30), meter.reading(2, kWh: 1400, daysAgo: 20), meter.reading(3, kWh: 1450, daysAgo: 15),
                    meter.reading(4, kWh: 3000, daysAgo: 10), meter.reading(5, kWh: 3050, daysAgo: 5)))
            #expect(outcome.readings == 5)
            let readings = try await db.query("SELECT consumption, flag FROM readings WHERE raw_id IS NOT NULL ORDER BY read_on").rows
            #expect(try readings.map { try $0.decode("consumption", as: Int64.self) } == [300, 100, 50, 1550, 50])
            #expect(try readings.map { try $0.decode("flag", as: String?.self) } == [nil, nil, nil, "high_use", nil])
            let alert = try await db.query("SELECT kind, detail, reading_id IS NOT NULL AS linked FROM consumption_alerts").rows
            #expect(alert.count == 1)
            #expect(try alert[0].decode("detail", as: String.self) == "1550 units in 5 days to \(day(ago: 10)), far above the usual use")
            #expect(try alert[0].decode("linked", as: Bool.self))
            #expect(
                try await countRows("notifications WHERE purpose = 'consumption_alert' AND recipient = $1", db, [DemoAccounts.accounts[0].mobile])
                    == 1)
        }
    }

    @Test("an ack whose JSON the database cannot read (a lone surrogate) is left unanswered; the batch's readings are stored")
    func unreadableAckSpoilsNothing() async throws {
        try await withSmartMeter { (db: Database, meter: TestSmartMeter, store: StoreDeviceMessages) async throws in
            let ack = MeterMessage(kind: .ack, meter: TestSmartMeter.serial, sequence: 2, time: Int64(Date().timeIntervalSince1970), acknowledges: 1)
            let body = #"{"v":1,"k":"ack","m":"SGM-1","q":2,"t":\#(ack.time),"a":1,"ok":true,"r":"\ud800"}"#
            let frame = SignedFrame.sign(body: Array(body.utf8), with: meter.key)
            let outcome = try await store.store(batch(meter.reading(1, kWh: 1300, daysAgo: 1), DeviceRecord.line(ack, frame: frame)))
            #expect(outcome.stored == 1 && outcome.answers == 0)
        }
    }

    @Test("the register rule reads the same in SQL as in Swift, turn-over and running backwards included")
    func registerRuleInSQL() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let register = MeterRegister(digits: 4, multiplier: 10)
            for (from, to) in [(100, 150), (150, 150), (150, 100), (9_950, 20), (9_950, 2_000), (8_000, 20), (0, 9_999)] as [(Int64, Int64)] {
                let units: Int64? = try await db.query(
                    "SELECT \(MeterRegister.units(from: "\(from)::bigint", to: "\(to)::bigint", digits: "4", multiplier: "10")) AS u"
                ).rows[0].decode("u")
                #expect(units == register.units(from: from, to: to), "\(from) → \(to)")
            }
        }
    }

    @Test("health updates the meter; a tamper switch newly open raises one alert; a signal out of range is dropped, not the batch")
    func healthAndTamper() async throws {
        try await withSmartMeter { (db: Database, meter: TestSmartMeter, store: StoreDeviceMessages) async throws in
            _ = try await store.store(batch(meter.health(1, tamper: false, signal: 5)))
            var health = try await db.query("SELECT signal_dbm, voltage::text AS v, relay, tamper FROM meter_health").rows[0]
            #expect(try health.decode("signal_dbm", as: Int?.self) == nil)
            #expect(try health.decode("v", as: String.self) == "230.1")
            #expect(try health.decode("relay", as: String.self) == "connected")
            _ = try await store.store(batch(meter.health(2, tamper: true)))
            _ = try await store.store(batch(meter.health(3, tamper: true)))
            health = try await db.query("SELECT signal_dbm, tamper FROM meter_health").rows[0]
            #expect(try health.decode("tamper", as: Bool.self))
            #expect(try health.decode("signal_dbm", as: Int?.self) == -70)
            #expect(try await countRows("consumption_alerts WHERE kind = 'tamper'", db) == 1)
        }
    }

    @Test("a cut-off or malformed batch is refused whole and stores nothing; an unknown meter is counted")
    func badBatches() async throws {
        try await withSmartMeter { (db: Database, meter: TestSmartMeter, store: StoreDeviceMessages) async throws in
            let good = meter.reading(1, kWh: 1300, daysAgo: 3)
            await #expect(throws: StoreDeviceMessages.Refusal.self) { try await store.store(batch(good, "SGM-1\t2\treading\n")) }
            await #expect(throws: StoreDeviceMessages.Refusal.self) { try await store.store(Array(good.utf8.dropLast())) }
            await #expect(throws: StoreDeviceMessages.Refusal.self) {
                try await store.store(batch(good, "SGM-1\tnot-a-number\treading\t1\t1\t\\N\t\\N\t\\N\t\\N\t{}\n"))
            }
            #expect(try await countRows("readings_raw WHERE source = 'bridge'", db) == 0)
            let unknown = good.replacingOccurrences(of: "SGM-1\t", with: "NOPE-9\t")
            #expect(try await store.store(batch(unknown, good)) == .init(stored: 1, duplicates: 0, unknownMeters: 1, readings: 1))
        }
    }
}
