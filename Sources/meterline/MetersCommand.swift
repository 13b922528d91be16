import ArgumentParser
import Foundation
import MeterProtocol
import Metering
import Platform
import Web

/// `meterline meters` (BR-4, MT-2): the engineering side of smart meters from the command line.
struct MetersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meters", abstract: "Smart meters: list them for the simulator, load their public keys.",
        subcommands: [Smart.self, SetKeys.self, CommandKey.self, ReadAll.self])

    struct Smart: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print installed smart meters: serial, category, register, last read (tab-separated), for meter-sim.")
        @OptionGroup var common: CommonOptions
        @Option(help: "At most this many meters.") var limit = 50

        func run() async throws {
            let (config, logger) = try common.load(logToStandardError: true)
            try await withMigratedDatabase(config, logger) { database in
                print(try await SmartMeterList(database: database).list(limit: max(1, min(limit, 1_000_000))), terminator: "")
            }
        }
    }

    struct SetKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-keys", abstract: "Load meters' public keys from standard input: serial and key, tab-separated, one per line.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let (config, logger) = try common.load(logToStandardError: true)
            let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            try await withMigratedDatabase(config, logger) { database in
                do {
                    let changed = try await SetMeterKeys(database: database).run(text, by: nil)
                    print("\(changed) meter keys set.")
                } catch let refusal as SetMeterKeys.Refusal {
                    throw ValidationError(refusal.description)
                }
            }
        }
    }

    struct CommandKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "command-key", abstract: "Print the public key meters check the portal's commands with (BR-3), for meter-sim --portal-key.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let (config, _) = try common.load(logToStandardError: true)
            print(Hex.encode(AppServices.commandKey(try AppServices.secretKey(config)).publicKey.compressed))
        }
    }

    struct ReadAll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "read-all", abstract: "Ask every bridge to read all its connected meters now, and print what came back (BR-2).")
        @OptionGroup var common: CommonOptions
        @Option(help: "Seconds the bridges wait for the meters.") var deadline = 5

        func run() async throws {
            let (config, logger) = try common.load(logToStandardError: true)
            guard let secret = config.bridgeSecret else { throw ValidationError("Set BRIDGE_SECRET: it signs the call to the bridges.") }
            try await withMigratedDatabase(config, logger) { database in
                var readAll = ReadAllMeters(database: database, link: HTTPBridgeLink(secret: Array(secret.utf8)))
                readAll.deadline = .seconds(max(1, min(deadline, 60)))
                let round = try await readAll.run(by: nil)
                print(
                    "\(round.bridges) bridges (\(round.unreachable) unreachable): \(round.answered) of \(round.asked) meters answered in \(round.milliseconds) ms; \(round.stored) readings stored."
                )
                if !round.missing.isEmpty {
                    print("Did not answer: \(round.missing.prefix(20).joined(separator: ", "))\(round.missing.count > 20 ? " …" : "")")
                }
            }
        }
    }
}
