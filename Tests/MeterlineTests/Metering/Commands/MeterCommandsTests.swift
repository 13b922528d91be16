import Foundation
import Testing

@testable import Metering
@testable import Platform

@Suite("Commands queued for a meter (BR-3)")
struct MeterCommandsTests {
    @Test("two transactions queueing for one meter commit in the order of their ids, so the meter never sees a lower id after a higher one")
    func idsFollowCommitOrder() async throws {
        try await withTestDatabase { (db: Database) async throws in
            _ = try await TestSmartMeter.install(db)
            let meterID: Int64 = try await db.query("SELECT id FROM meters WHERE serial = \(TestSmartMeter.serial)").rows[0].decode("id")
            // The first transaction queues a token and has not committed yet.
            let first = try PostgresConnection(conninfo: db.configuration.url)
            try first.execute("BEGIN")
            let firstID = try MeterCommands.queue(.token, payload: "12345678901234567890", meterID: meterID, by: nil, at: db.clock.now, on: first)

            // The second waits for the first instead of taking an id and committing ahead of it.
            let second = Task {
                try await db.transaction { connection in
                    try MeterCommands.queue(.relayOff, meterID: meterID, by: nil, at: Date(), on: connection)
                }
            }
            var waiting = false
            for _ in 0..<100 where !waiting {
                waiting =
                    !(try await db.query(
                        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO meter_commands%'"
                    ).rows.isEmpty)
                if !waiting { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(waiting)
            #expect(try await db.query("SELECT count(*) AS n FROM meter_commands").rows[0].decode("n", as: Int.self) == 0)

            try first.execute("COMMIT")
            let secondID = try await second.value
            #expect(secondID > firstID)
            let kinds: [String] = try await db.query("SELECT kind FROM meter_commands ORDER BY id").rows.map { try $0.decode("kind") }
            #expect(kinds == ["token", "relay_off"])
        }
    }

    @Test("a command for a meter that does not exist is refused and nothing is queued")
    func unknownMeter() async throws {
        try await withTestDatabase { (db: Database) async throws in
            await #expect(throws: DatabaseError.self) {
                try await db.transaction { connection in
                    try MeterCommands.queue(.diagnostics, meterID: 999_999, by: nil, at: Date(), on: connection)
                }
            }
            #expect(try await db.query("SELECT count(*) AS n FROM meter_commands").rows[0].decode("n", as: Int.self) == 0)
        }
    }
}
