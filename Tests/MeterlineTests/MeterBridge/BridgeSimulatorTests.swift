import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MeterBridge
import MeterProtocol
import MeterSimulator
import Testing

@testable import Accounts
@testable import Metering
@testable import Platform
@testable import Web

@Suite("Bridge and simulated meters over real sockets (BR-1, BR-4)")
struct BridgeSimulatorTests {
    static let secret = Array("a-bridge-secret-of-thirty-two-characters".utf8)

    @Test("100 simulated meters sign in to the bridge and their readings reach the portal, each stored once")
    func hundredMeters() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            let list = MeterList.generated(count: 100, prefix: "SIM-", at: Date())
            let serials = list.entries.map(\.serial)
            try await registerSimulatedMeters(serials, seed: "test", db)
            // One meter's key is not the one it signs with: it must never get in.
            try await db.query(
                "UPDATE meters SET public_key = $1 WHERE serial = $2",
                [
                    Hex.encode(Secp256k1.PrivateKey.generate().publicKey.compressed), serials[99],
                ])

            let logger = {
                var logger = Logger(label: "bridge-test")
                logger.logLevel = .warning
                return logger
            }()
            var config = TestApp.config()
            config.bridgeSecret = String(decoding: Self.secret, as: UTF8.self)
            let services = try await AppServices.make(config: config, database: db, logger: logger)
            let spool = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: spool) }
            try await buildApplication(services: services).test(.live) { client in
                let port = try freePort()
                var settings = BridgeSettings(
                    name: "test-bridge", host: "127.0.0.1", port: port, portalURL: "http://127.0.0.1:\(client.port!)", secret: Self.secret,
                    spoolDirectory: spool)
                settings.keyRefresh = .milliseconds(500)
                settings.statusInterval = .milliseconds(300)
                let bridge = try buildBridge(settings: settings, logger: logger)
                let meters = list.meters(seed: "test", oddities: false)
                // A reading a second each: with the whole suite running on two cores, a faster stream can
                // outrun a debug build's ingest, and then fresh readings queue behind old ones.
                let simulator = Simulator(bridgeURL: "ws://127.0.0.1:\(port)/meter", interval: .seconds(1), logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await bridge.runService(gracefulShutdownSignals: []) }
                    group.addTask { await simulator.run(meters, rampUp: .milliseconds(500)) }
                    let deadline = ContinuousClock.now + .seconds(90)
                    var ready = false
                    while !ready, ContinuousClock.now < deadline {
                        let heard = try await countRows("(SELECT DISTINCT meter_id FROM readings_raw WHERE source = 'bridge') AS m", db)
                        let reported = try await countRows("bridges WHERE connected = 99 AND refused ? 'bad_signature'", db)
                        ready = heard == 99 && reported == 1
                        if !ready { try await Task.sleep(for: .milliseconds(200)) }
                    }
                    try #require(ready, "the 99 good meters were heard and the bridge reported them")
                    // BR-2: the portal asks every bridge to read all its meters; the 99 connected answer.
                    var readAll = ReadAllMeters(database: db, link: HTTPBridgeLink(secret: Self.secret))
                    // Upper bounds, for a CI machine busy with the whole suite (a spool's fsync can take
                    // seconds there): the bridge answers once all 99 have, the run once their readings are stored.
                    readAll.deadline = .seconds(30)
                    readAll.settle = .seconds(30)
                    let round = try await readAll.run(by: nil)
                    #expect(round.bridges == 1 && round.unreachable == 0, "\(round)")
                    #expect(round.asked == 99 && round.answered == 99 && round.missing.isEmpty, "\(round)")
                    #expect(round.stored == 99, "\(round)")
                    let latest = try await ReadAllMeters(database: db, link: HTTPBridgeLink(secret: Self.secret)).latest()
                    #expect(latest?.round.id == round.id && latest?.round.answered == 99)
                    group.cancelAll()
                }
            }
            #expect(try await countRows("(SELECT DISTINCT meter_id FROM readings_raw WHERE source = 'bridge') AS m", db) == 99)
            #expect(try await countRows("readings_raw r JOIN meters m ON m.id = r.meter_id WHERE m.serial = $1", db, [serials[99]]) == 0)
            // Each message once: as many raw rows as distinct (meter, sequence), and every meter's last sequence kept.
            #expect(
                try await countRows("readings_raw WHERE source = 'bridge'", db)
                    == countRows("(SELECT DISTINCT meter_id, device_sequence FROM readings_raw WHERE source = 'bridge') AS d", db))
            #expect(try await countRows("meter_health WHERE last_sequence > 0", db) == 99)
            let refused: String = try await db.query("SELECT refused::text AS r FROM bridges").rows[0].decode("r")
            #expect(refused.contains("bad_signature"))
        }
    }
}
