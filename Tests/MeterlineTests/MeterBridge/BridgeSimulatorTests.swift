import Foundation
import Glibc
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
                    readAll.settle = .seconds(30)  // an upper bound: it returns once the 99 readings are stored
                    let round = try await readAll.run(by: nil)
                    #expect(round.bridges == 1 && round.unreachable == 0)
                    #expect(round.asked == 99 && round.answered == 99 && round.missing.isEmpty)
                    #expect(round.stored == 99)
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

    @Test("a bridge asked to stop closes its meters' connections and stops, though meters would stay and one never finished its handshake")
    func stopsWithMetersConnected() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            let list = MeterList.generated(count: 5, prefix: "STOP-", at: Date())
            try await registerSimulatedMeters(list.entries.map(\.serial), seed: "test", db)
            let logger = {
                var logger = Logger(label: "bridge-test")
                logger.logLevel = .critical
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
                    name: "stopping-bridge", host: "127.0.0.1", port: port, portalURL: "http://127.0.0.1:\(client.port!)", secret: Self.secret,
                    spoolDirectory: spool)
                settings.keyRefresh = .milliseconds(300)
                settings.statusInterval = .milliseconds(300)
                let bridge = try bridgeServiceGroup(settings: settings, logger: logger, signals: false)
                let running = Task { try await bridge.run() }
                // Meters that send once an hour: left alone, their connections would stay open.
                let simulator = Simulator(bridgeURL: "ws://127.0.0.1:\(port)/meter", interval: .seconds(3600), logger: logger)
                let meters = Task { await simulator.run(list.meters(seed: "test", oddities: false), rampUp: .milliseconds(100)) }
                defer { meters.cancel() }
                let deadline = ContinuousClock.now + .seconds(30)
                var connected = false
                while !connected, ContinuousClock.now < deadline {
                    connected = try await countRows("bridges WHERE name = 'stopping-bridge' AND connected = 5", db) == 1
                    if !connected { try await Task.sleep(for: .milliseconds(200)) }
                }
                try #require(connected, "the five meters connected")
                // A client that started an upgrade and went quiet, as a meter cut off mid-handshake, is
                // closed after ten seconds; one whose request head is whole is left to its request.
                let stalled = try Self.connect(port: port)
                defer { close(stalled) }
                let partial = "GET /meter HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                #expect(write(stalled, partial, partial.utf8.count) == partial.utf8.count)
                let slow = try Self.connect(port: port)
                let head = "POST /read-all HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n"
                #expect(write(slow, head, head.utf8.count) == head.utf8.count)
                try await Task.sleep(for: .seconds(11))
                #expect(Self.isClosed(stalled))
                #expect(!Self.isClosed(slow))
                close(slow)
                // Asked to stop, it closes the meters' connections and stops.
                let asked = ContinuousClock.now
                await bridge.triggerGracefulShutdown()
                try await running.value
                // By itself: what still hangs would be cancelled only 30 s after it was asked.
                #expect(ContinuousClock.now - asked < .seconds(25))
            }
            await services.shutdown()
        }
    }

    /// A plain TCP connection to the bridge, for a client that speaks no further than it wants.
    static func connect(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard descriptor >= 0, connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        return descriptor
    }

    /// Whether the other end has closed `descriptor` (a read would say end of file), without waiting.
    static func isClosed(_ descriptor: Int32) -> Bool {
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) == 0
    }
}
