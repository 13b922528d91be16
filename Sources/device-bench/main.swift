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
// sends them) and then COPYs the same rows raw into a copy of readings_raw, and prints both rates.
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
    let base = UInt64(Date().timeIntervalSince1970 * 1000)
    var lines: [[UInt8]] = []
    var rawLines: [UInt8] = []
    let ids = Dictionary(
        uniqueKeysWithValues: try await database.query("SELECT id, serial FROM meters WHERE serial = ANY($1::text[])", [TextList(meters)]).rows.map {
            (try $0.decode("serial", as: String.self), try $0.decode("id", as: Int64.self))
        })
    let timestamps = ISO8601DateFormatter()
    var batch: [UInt8] = []
    for index in 0..<count {
        let serial = meters[index % meters.count]
        let sequence = base + UInt64(index)
        let time = Int64(sequence / 1000)
        let message = MeterMessage(kind: .reading, meter: serial, sequence: sequence, time: time, wattHours: Int64(1_000_000 + index))
        let frame = try SignedFrame.encode(message, with: key)
        batch += Array(DeviceRecord.line(message, frame: frame).utf8)
        rawLines += Array(
            "\(ids[serial]!)\t\(timestamps.string(from: Date(timeIntervalSince1970: TimeInterval(time))))\t\(1000 + index / 1000)\tbridge\t\(sequence)\t{\"frame\": \"\(String(decoding: frame, as: UTF8.self).replacing("\"", with: "\\\\\""))\"}\n"
                .utf8)
        if (index + 1) % 5000 == 0 || index == count - 1 {
            lines.append(batch)
            batch = []
        }
    }
    let store = StoreDeviceMessages(database: database, highUseFactor: 3)
    let started = ContinuousClock.now
    var stored = 0
    for batch in lines { stored += try await store.store(batch).stored }
    let ingestSeconds = Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000
    // The same rows, COPYed raw into a table like readings_raw (its indexes and constraints too).
    let raw = rawLines
    let copySeconds: Double = try await database.transaction { connection in
        try connection.execute("CREATE TEMP TABLE raw_copy (LIKE readings_raw INCLUDING ALL) ON COMMIT DROP")
        let start = ContinuousClock.now
        _ = try connection.copyIn("COPY raw_copy (meter_id, read_at, value, source, device_sequence, payload) FROM STDIN", text: raw)
        return Double((ContinuousClock.now - start) / .milliseconds(1)) / 1000
    }
    print(
        String(
            format:
                "ingest: %d readings stored in %.2f s through StoreDeviceMessages (%.0f readings/s); raw COPY of the same rows %.2f s (%.0f rows/s); ingest is %.0f%% of COPY",
            stored, ingestSeconds, Double(stored) / ingestSeconds, copySeconds, Double(count) / copySeconds,
            100 * (Double(count) / copySeconds > 0 ? (Double(stored) / ingestSeconds) / (Double(count) / copySeconds) : 0)))
}
try await startup.close()
