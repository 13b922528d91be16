import Foundation
import MeterProtocol
import Testing

@testable import Metering
@testable import Platform

/// A bridge as the portal sees it through `BridgeLink`: it answers a read-all with what it was told to.
private struct AnsweringBridge: BridgeLink {
    let result: ReadAllResult

    func pass(_ batch: CommandBatch, to bridgeURL: String) async throws -> CommandDelivery { CommandDelivery(passed: []) }
    func readAll(_ request: ReadAllRequest, to bridgeURL: String) async throws -> ReadAllResult { result }
}

@Suite("Reading every meter at once (BR-2)")
struct ReadAllMetersTests {
    private func withBridge(_ body: @escaping @Sendable (Database, Int64) async throws -> Void) async throws {
        try await withTestDatabase { (db: Database) async throws in
            _ = try await TestSmartMeter.install(db)
            let meterID: Int64 = try await db.query("SELECT id FROM meters WHERE serial = $1", [TestSmartMeter.serial]).rows[0].decode("id")
            try await db.query(
                """
                INSERT INTO bridges (name, url, started_at, connected, verified, backlog, reported_at)
                VALUES ('b1', 'http://127.0.0.1:1', now(), 1, 0, 0, now())
                """)
            try await body(db, meterID)
        }
    }

    private func store(_ sequence: Int64, meterID: Int64, _ db: Database) async throws {
        try await db.query(
            "INSERT INTO readings_raw (meter_id, read_at, value, source, device_sequence) VALUES ($1, now(), 1000, 'bridge', $2)",
            [meterID, sequence])
    }

    @Test("a round waits for the very reading that answered: a routine reading sent just before does not count")
    func waitsForTheAnsweringReading() async throws {
        try await withBridge { db, meterID in
            try await store(41, meterID: meterID, db)
            var readAll = ReadAllMeters(
                database: db,
                link: AnsweringBridge(
                    result: ReadAllResult(
                        round: "r", asked: 1, answered: 1, missing: [], milliseconds: 5, answers: [TestSmartMeter.serial: 42])))
            readAll.settle = .milliseconds(500)
            #expect(try await readAll.run(by: nil).stored == 0)
            try await store(42, meterID: meterID, db)
            let round = try await readAll.run(by: nil)
            #expect(round.asked == 1 && round.answered == 1 && round.stored == 1)
        }
    }

    @Test("a bridge that does not name its answering readings is waited for by time, as many meters as answered")
    func olderBridgeByTime() async throws {
        try await withBridge { db, meterID in
            try await store(7, meterID: meterID, db)
            var readAll = ReadAllMeters(
                database: db, link: AnsweringBridge(result: ReadAllResult(round: "r", asked: 1, answered: 1, missing: [], milliseconds: 5)))
            readAll.settle = .milliseconds(500)
            #expect(try await readAll.run(by: nil).stored == 1)
        }
    }
}
