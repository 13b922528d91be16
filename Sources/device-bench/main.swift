import Configuration
import Foundation
import Logging
import MeterBridge
import MeterProtocol
import MeterSimulator
import Metering
import Platform
import Web

// `make bench` (devices): `register N` puts N simulated smart meters (serials BENCH-0000001 …, keys
// from meter-sim's seed "bench") in the registry, for a bridge load run; `ingest N` stores N
// readings through the bridges' ingest (StoreDeviceMessages, batches of 5,000 lines as a bridge
// sends them) after COPYing the same rows raw into readings_raw (rolled back), and prints both
// rates; then as many again from two bridges at once.
// Uses the database DATABASE_URL / DATA_DIR name, like meterline. Prints; asserts nothing.
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}
let logger = Logger(label: "device-bench")
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 2, let count = Int(arguments[1]), ["register", "ingest"].contains(arguments[0]) else {
    print("usage: device-bench register N | ingest N")
    exit(2)
}
let config = try AppConfig.load(from: ConfigReader(providers: [EnvironmentVariablesProvider()]))
let startup = try await DatabaseStartup.open(config: config, logger: logger, limits: .unlimited)
let database = startup.database
_ = try await Migrator(directory: config.migrationsDirectory, logger: logger).migrate(database)
let serials = (1...count).map { String(format: "BENCH-%07d", $0) }

switch arguments[0] {
case "register":
    try await database.query(
        """
        INSERT INTO meters (serial, model, kind, public_key, status)
        SELECT s, 'Simulated', 'smart', '02' || repeat('ab', 32), 'provisioned' FROM unnest($1::text[]) AS s ON CONFLICT DO NOTHING
        """, [TextList(serials)])
    let keys = serials.map { "\($0)\t\(Hex.encode(SimulatedMeter.key(seed: "bench", serial: $0).publicKey.compressed))" }
    let set = try await SetMeterKeys(database: database).run(keys.joined(separator: "\n"), by: nil)
    print("\(count) bench meters registered, \(set) keys set")
default:
    // A thousand meters, `count` readings spread over them, each with a signed frame of the usual size.
    let meters = Array(serials.prefix(1000))
    try await database.query(
        """
        INSERT INTO meters (serial, model, kind, public_key, status)
        SELECT s, 'Simulated', 'smart', '02' || repeat('ab', 32), 'provisioned' FROM unnest($1::text[]) AS s ON CONFLICT DO NOTHING
        """, [TextList(meters)])
    let key = Secp256k1.PrivateKey.generate()
    let ids = Dictionary(
        uniqueKeysWithValues: try await database.query("SELECT id, serial FROM meters WHERE serial = ANY($1::text[])", [TextList(meters)]).rows.map {
            (try $0.decode("serial", as: String.self), try $0.decode("id", as: Int64.self))
        })
    let timestamps = ISO8601DateFormatter()
    /// `count` readings of `meters` from sequence `first` on: the bridge's batches of 5,000 lines,
    /// and the same rows as COPY text for readings_raw.
    func readings(of meters: [String], from first: UInt64, count: Int) throws -> (batches: [[UInt8]], raw: [UInt8]) {
        var batches: [[UInt8]] = []
        var batch: [UInt8] = []
        var raw: [UInt8] = []
        for index in 0..<count {
            let serial = meters[index % meters.count]
            let sequence = first + UInt64(index)
            let time = Int64(sequence / 1000)
            let message = MeterMessage(kind: .reading, meter: serial, sequence: sequence, time: time, wattHours: Int64(1_000_000 + index))
            let frame = try SignedFrame.encode(message, with: key)
            batch += Array(DeviceRecord.line(message, frame: frame).utf8)
            raw += Array(
                "\(ids[serial]!)\t\(timestamps.string(from: Date(timeIntervalSince1970: TimeInterval(time))))\t\(1000 + index / 1000)\tbridge\t\(sequence)\t{\"frame\": \"\(String(decoding: frame, as: UTF8.self).replacing("\"", with: "\\\\\""))\"}\n"
                    .utf8)
            if (index + 1) % 5000 == 0 || index == count - 1 {
                batches.append(batch)
                batch = []
            }
        }
        return (batches, raw)
    }
    let base = UInt64(Date().timeIntervalSince1970 * 1000)
    let one = try readings(of: meters, from: base, count: count)
    // Two bridges at once, each with its own meters (a meter is connected to one bridge).
    let two = try [
        readings(of: Array(meters.prefix(500)), from: base + UInt64(count), count: count / 2),
        readings(of: Array(meters.suffix(500)), from: base + UInt64(count), count: count / 2),
    ]
    let store = StoreDeviceMessages(database: database, highUseFactor: 3)

    // The baseline: the same rows COPYed straight into readings_raw, with its constraints, indexes
    // and foreign key, and rolled back, so that the ingest below finds the table as it was.
    struct RolledBack: Error { let seconds: Double }
    var copySeconds = 0.0
    do {
        try await database.transaction { connection in
            let start = ContinuousClock.now
            _ = try connection.copyIn("COPY readings_raw (meter_id, read_at, value, source, device_sequence, payload) FROM STDIN", text: one.raw)
            throw RolledBack(seconds: Double((ContinuousClock.now - start) / .milliseconds(1)) / 1000)
        }
    } catch let rolledBack as RolledBack {
        copySeconds = rolledBack.seconds
    }

    var started = ContinuousClock.now
    var stored = 0
    for batch in one.batches { stored += try await store.store(batch).stored }
    let ingestSeconds = Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000
    print(
        String(
            format:
                "ingest: %d readings stored in %.2f s through StoreDeviceMessages (%.0f readings/s); a raw COPY of the same rows into readings_raw %.2f s (%.0f rows/s); ingest is %.0f%% of COPY",
            stored, ingestSeconds, Double(stored) / ingestSeconds, copySeconds, Double(count) / copySeconds,
            100 * (Double(count) / copySeconds > 0 ? (Double(stored) / ingestSeconds) / (Double(count) / copySeconds) : 0)))

    started = ContinuousClock.now
    let storedByTwo = try await withThrowingTaskGroup(of: Int.self) { group in
        for bridge in two {
            group.addTask {
                var stored = 0
                for batch in bridge.batches { stored += try await store.store(batch).stored }
                return stored
            }
        }
        var total = 0
        for try await stored in group { total += stored }
        return total
    }
    let twoSeconds = Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000
    print(
        String(
            format: "ingest from two bridges at once: %d readings stored in %.2f s (%.0f readings/s)", storedByTwo, twoSeconds,
            Double(storedByTwo) / twoSeconds))
}
try await startup.close()
