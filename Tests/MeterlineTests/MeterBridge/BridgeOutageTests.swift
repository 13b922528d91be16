import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MeterBridge
import MeterProtocol
import MeterSimulator
import NIOCore
import Synchronization
import Testing

@testable import Accounts
@testable import Metering
@testable import Platform
@testable import Web

/// BR-1: the portal goes away mid-stream and the bridge is restarted while it holds messages the
/// portal has not stored: the spool replays them; nothing a meter was told is safe is lost, and
/// nothing is stored twice.
@Suite("Bridge restart and portal outage (BR-1)")
struct BridgeOutageTests {
    static let secret = Array("a-bridge-secret-of-thirty-two-characters".utf8)

    /// Between the bridge and the portal: passes every call on, or answers 503 while `down`.
    final class Outage: Sendable {
        let down = Atomic<Bool>(false)
    }

    static func proxy(to portal: String, outage: Outage, port: Int) -> some ApplicationProtocol {
        let router = Router()
        router.on("**", method: .get) { request, context in try await forward(request, context, to: portal, outage: outage) }
        router.on("**", method: .post) { request, context in try await forward(request, context, to: portal, outage: outage) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    }

    static func forward(_ request: Request, _ context: BasicRequestContext, to portal: String, outage: Outage) async throws -> Response {
        if outage.down.load(ordering: .relaxed) { return Response(status: .serviceUnavailable) }
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024 * 1024)
        var forwarded = HTTPClientRequest(url: portal + request.uri.path)
        forwarded.method = .init(rawValue: request.method.rawValue)
        for field in request.headers { forwarded.headers.add(name: field.name.rawName, value: field.value) }
        forwarded.body = .bytes(body)
        let answer = try await HTTPClient.shared.execute(forwarded, timeout: .seconds(30))
        let bytes = try await answer.body.collect(upTo: 64 * 1024 * 1024)
        return Response(status: .init(code: Int(answer.status.code)), body: .init(byteBuffer: bytes))
    }

    @Test("messages spooled while the portal was down, and across a bridge restart, are all stored once")
    func outageAndRestart() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            let list = MeterList.generated(count: 20, prefix: "OUT-", at: Date())
            let serials = list.entries.map(\.serial)
            try await registerSimulatedMeters(serials, seed: "test", db)
            let logger = {
                var logger = Logger(label: "outage-test")
                logger.logLevel = .critical
                return logger
            }()
            var config = TestApp.config()
            config.bridgeSecret = String(decoding: Self.secret, as: UTF8.self)
            let services = try await AppServices.make(config: config, database: db, logger: logger)
            let spool = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: spool) }
            let meters = serials.map {
                SimulatedMeter(
                    serial: $0, key: SimulatedMeter.key(seed: "test", serial: $0), curve: LoadCurve(category: .residential), wattHours: 1_000,
                    since: Date(), keepJournal: true)
            }

            @Sendable func stored() async throws -> Int { try await countRows("readings_raw WHERE source = 'bridge'", db) }
            @Sendable func eventually(_ seconds: Int, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
                let deadline = ContinuousClock.now + .seconds(seconds)
                while ContinuousClock.now < deadline {
                    if try await condition() { return true }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return false
            }

            try await buildApplication(services: services).test(.live) { client in
                let outage = Outage()
                let ports = try freePorts(2)
                let (proxyPort, bridgePort) = (ports[0], ports[1])
                let proxy = Task { try await Self.proxy(to: "http://127.0.0.1:\(client.port!)", outage: outage, port: proxyPort).runService() }
                func bridge() throws -> some ApplicationProtocol {
                    var settings = BridgeSettings(
                        name: "outage-bridge", host: "127.0.0.1", port: bridgePort, portalURL: "http://127.0.0.1:\(proxyPort)", secret: Self.secret,
                        spoolDirectory: spool)
                    settings.keyRefresh = .milliseconds(300)
                    settings.statusInterval = .milliseconds(300)
                    return try buildBridge(settings: settings, logger: logger)
                }
                let first = try bridge()
                let bridgeA = Task { try await first.runService(gracefulShutdownSignals: []) }
                let simulator = Simulator(bridgeURL: "ws://127.0.0.1:\(bridgePort)/meter", interval: .milliseconds(100), logger: logger)
                let running = Task { await simulator.run(meters, rampUp: .milliseconds(200)) }
                // An upper bound for a busy machine (alone this takes about a second).
                let heardAll = try await eventually(60) {
                    try await countRows("(SELECT DISTINCT meter_id FROM readings_raw WHERE source = 'bridge') AS m", db) == 20
                }
                if !heardAll {
                    // Say where it stuck: meters heard, and what the bridge last reported.
                    let heard = try await countRows("(SELECT DISTINCT meter_id FROM readings_raw WHERE source = 'bridge') AS m", db)
                    let bridge: String =
                        try await db.query("SELECT coalesce(string_agg(row_to_json(b)::text, ' '), 'no report') AS r FROM bridges b").rows[0].decode(
                            "r")
                    Issue.record("heard \(heard) of 20 meters; bridge: \(bridge)")
                }
                try #require(heardAll)
                // The portal goes away: the bridge keeps acknowledging what it has on disk.
                outage.down.store(true, ordering: .relaxed)
                let before = try await stored()
                let acknowledgedBefore = await meters.asyncSum { await $0.journal?.count ?? 0 }
                // Well past the readings already in flight when it went.
                try await Task.sleep(for: .seconds(1))
                let acknowledgedAt = await meters.asyncSum { await $0.journal?.count ?? 0 }
                #expect(try await eventually(20) { await meters.asyncSum { await $0.journal?.count ?? 0 } > max(acknowledgedBefore, acknowledgedAt) })
                // The bridge stops with messages the portal has not stored, and starts again.
                bridgeA.cancel()
                _ = await bridgeA.result
                // What the portal had not stored when the bridge stopped is on disk.
                #expect(try FileManager.default.contentsOfDirectory(atPath: spool).contains { $0.hasSuffix(".seg") })
                #expect(try await stored() < before + 400)
                outage.down.store(false, ordering: .relaxed)
                let second = try bridge()
                let bridgeB = Task { try await second.runService(gracefulShutdownSignals: []) }
                // The meters come back and keep sending through the new bridge (which acknowledges
                // them); then they stop and the spool drains.
                let acknowledgedAtRestart = await meters.asyncSum { await $0.journal?.count ?? 0 }
                try await Task.sleep(for: .seconds(3))
                #expect(try await eventually(20) { await meters.asyncSum { await $0.journal?.count ?? 0 } > acknowledgedAtRestart })
                running.cancel()
                _ = await running.result
                let journals = await meters.asyncMap { ($0.serial, await $0.journal ?? []) }
                let expected = journals.reduce(0) { $0 + $1.1.count }
                // Every reading a meter was told is safe is stored, once: wait until the spool has
                // drained that far (counting rows would not do: some are stored but never acknowledged).
                @Sendable func lost() async throws -> [UInt64] {
                    let rows = try await db.query(
                        "SELECT m.serial, r.device_sequence FROM readings_raw r JOIN meters m ON m.id = r.meter_id WHERE r.source = 'bridge'"
                    ).rows
                    var storedSequences: [String: Set<UInt64>] = [:]
                    for row in rows {
                        storedSequences[try row.decode("serial"), default: []].insert(UInt64(try row.decode("device_sequence", as: Int64.self)))
                    }
                    return journals.flatMap { serial, sequences in sequences.filter { !(storedSequences[serial]?.contains($0) ?? false) } }
                }
                _ = try await eventually(60) { try await lost().isEmpty }
                bridgeB.cancel()
                _ = await bridgeB.result
                proxy.cancel()
                let missing = try await lost()
                #expect(missing.isEmpty, "acknowledged but not stored: \(missing.count)")
                #expect(
                    try await countRows("readings_raw WHERE source = 'bridge'", db)
                        == countRows("(SELECT DISTINCT meter_id, device_sequence FROM readings_raw WHERE source = 'bridge') AS d", db))
                #expect(!FileManager.default.fileExists(atPath: spool + "/rejected"), "no segment was set aside")
                // Every meter had readings acknowledged (how many depends on how busy the machine is).
                #expect(journals.allSatisfy { !$0.1.isEmpty } && expected > 20)
            }
            await services.shutdown()
        }
    }
}

extension Array where Element: Sendable {
    func asyncSum(_ value: (Element) async -> Int) async -> Int {
        var total = 0
        for element in self { total += await value(element) }
        return total
    }

    func asyncMap<T>(_ transform: (Element) async -> T) async -> [T] {
        var out: [T] = []
        for element in self { out.append(await transform(element)) }
        return out
    }
}
