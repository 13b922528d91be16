import Foundation
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("Smart readings from the bridge (MT-4, MT-6)")
struct IngestReadingTests {
    private func withSmartMeter(_ body: @escaping @Sendable (Database, IngestReading) async throws -> Void) async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            let key = "02" + String(repeating: "ab", count: 32)
            _ = try await RegisterMeter(database: db).run(
                .init(serial: "SGM-1", model: "Aclara", kind: "smart", publicKey: key), by: nil, clientAddress: nil)
            let admin: Int64 = try await db.query(
                "INSERT INTO users (username, full_name, password_hash, kind, roles, status) VALUES ('eng', 'Eng', '$argon2id$x', 'staff', '{engineer}', 'active') RETURNING id"
            ).rows[0].decode("id")
            #expect(try await ProvisionMeter(database: db).run(serial: "SGM-1", by: admin, clientAddress: nil))
            _ = try await InstallMeter(database: db).run(
                serial: "SGM-1", accountNumber: DemoAccounts.accounts[0].number, on: try #require(CalendarDay(day(ago: 60))), initialReading: 1000,
                location: nil, by: admin, clientAddress: nil)
            try await body(db, IngestReading(database: db, highUseFactor: 3))
        }
    }

    private func message(_ sequence: Int64, value: Int64, daysAgo: Int) -> IngestReading.Message {
        IngestReading.Message(
            serial: "SGM-1", sequence: sequence, readAt: Date().addingTimeInterval(-Double(daysAgo) * 86_400), value: value,
            payload: #"{"seq":\#(sequence),"value":\#(value),"sig":"3045…"}"#)
    }

    @Test("each message is stored once: the same sequence number again stores nothing")
    func idempotentOnSequence() async throws {
        try await withSmartMeter { db, ingest in
            #expect(try await ingest.ingest(message(1, value: 1300, daysAgo: 30)) == .stored(consumption: 300, flag: nil))
            #expect(try await ingest.ingest(message(1, value: 1300, daysAgo: 30)) == .duplicate)
            async let a = ingest.ingest(message(2, value: 1600, daysAgo: 1))
            async let b = ingest.ingest(message(2, value: 1600, daysAgo: 1))
            let outcomes = try await [a, b]
            #expect(outcomes.filter { $0 == .duplicate }.count == 1)
            #expect(try await countRows("readings_raw WHERE source = 'bridge'", db) == 2)
            let payload: String = try await db.query("SELECT payload->>'message' AS m FROM readings_raw WHERE device_sequence = 1").rows[0].decode(
                "m")
            #expect(payload.contains(#""seq":1"#))
            #expect(
                try await ingest.ingest(IngestReading.Message(serial: "NOPE", sequence: 1, readAt: Date(), value: 1, payload: "{}")) == .unknownMeter)
        }
    }

    @Test("a register that runs backwards is kept as evidence, flagged as reverse flow, and raises an alert")
    func reverseFlow() async throws {
        try await withSmartMeter { db, ingest in
            try await ingest.ingest(message(1, value: 1300, daysAgo: 30))
            #expect(try await ingest.ingest(message(2, value: 1250, daysAgo: 20)) == .stored(consumption: 0, flag: "reverse_flow"))
            let alert = try await db.query("SELECT kind, detail FROM consumption_alerts").rows[0]
            #expect(try alert.decode("kind", as: String.self) == "reverse_flow")
            #expect(try alert.decode("detail", as: String.self).contains("ran backwards by 50 units"))
        }
    }

    @Test("a spike from a smart meter is flagged and alerted like a typed one")
    func spike() async throws {
        try await withSmartMeter { db, ingest in
            try await ingest.ingest(message(1, value: 1300, daysAgo: 30))
            #expect(try await ingest.ingest(message(2, value: 2300, daysAgo: 20)) == .stored(consumption: 1000, flag: "high_use"))
            #expect(try await countRows("consumption_alerts WHERE kind = 'spike'", db) == 1)
        }
    }
}
