import ArgumentParser
import Foundation
import Logging
import MeterProtocol
import MeterSimulator
import Platform

/// `meter-sim`: simulated smart meters for the demo, tests and load tests (BR-4).
@main
struct MeterSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meter-sim", abstract: "Simulated smart meters that connect to a meter bridge.", subcommands: [Keys.self, Run.self])

    struct Source: ParsableArguments {
        @Option(help: "The meters, as `meterline meters smart` prints them (- for standard input).")
        var meters: String?

        @Option(help: "Without --meters: this many made-up meters.")
        var count = 0

        @Option(help: "Serial prefix of made-up meters.")
        var prefix = "SIM-"

        @Option(help: "The seed the meters' keys are derived from.")
        var seed = "demo"

        func list() throws -> MeterList {
            guard let meters else { return MeterList.generated(count: count, prefix: prefix, at: Date()) }
            let text =
                meters == "-"
                ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                : try String(contentsOfFile: meters, encoding: .utf8)
            return try MeterList(text: text)
        }
    }

    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print each meter's serial and public key, for `meterline meters set-keys`.")

        @OptionGroup var source: Source

        func run() async throws {
            for entry in try source.list().entries {
                print("\(entry.serial)\t\(Hex.encode(SimulatedMeter.key(seed: source.seed, serial: entry.serial).publicKey.compressed))")
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Connect the meters to a bridge and run until stopped.")

        @OptionGroup var source: Source

        @Option(help: "The bridge's meter address.")
        var bridge = "ws://127.0.0.1:8090/meter"

        @Option(help: "Seconds between readings.")
        var interval = 60.0

        @Option(help: "Hours of readings a meter keeps for when it connects (from its last reading at the portal).")
        var catchUpHours = 24 * 7

        @Flag(help: "Some meters misbehave: tamper switch open, register stopped.")
        var oddities = false

        @Option(help: "The portal's command key (66 hex digits, `meterline meters command-key`): meters take commands signed by it.")
        var portalKey: String?

        @Option(help: "A file holding the vending key (16 hex digits) prepaid meters' decoder keys come from, as a factory would load them.")
        var vendingKeyFile: String?

        func run() async throws {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardOutput(label: label)
                handler.logLevel = .info
                return handler
            }
            let logger = Logger(label: "meter-sim")
            let portal = try portalKey.map { text in
                guard let bytes = Hex.decode(text), let key = Secp256k1.PublicKey(bytes) else {
                    throw ValidationError("--portal-key is a compressed public key: 66 hexadecimal digits.")
                }
                return key
            }
            let vending = try vendingKeyFile.map { path in
                let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                guard text.count == 16, let key = UInt64(text, radix: 16) else { throw ValidationError("\(path) must hold 16 hexadecimal digits.") }
                return key
            }
            let meters = try source.list().meters(seed: source.seed, oddities: oddities, portalKey: portal, vendingKey: vending)
            let now = Date()
            for meter in meters { try await meter.catchUp(to: now, limit: catchUpHours) }
            logger.info("simulating meters", metadata: ["meters": "\(meters.count)", "bridge": "\(bridge)"])
            let simulator = Simulator(bridgeURL: bridge, interval: .milliseconds(Int(interval * 1000)), logger: logger)
            await simulator.run(meters, rampUp: .seconds(max(2, meters.count / 2000)))
        }
    }
}
