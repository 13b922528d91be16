import ArgumentParser
import Foundation
import Platform
import Prepaid
import Web

/// `meterline prepaid` (BL-8): vending keys from the command line.
struct PrepaidCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepaid", abstract: "Prepaid tokens: load vending keys.", subcommands: [LoadKey.self])

    struct LoadKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load-key", abstract: "Load a vending key, read from standard input (16 hex digits); it is sealed and never shown again.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Supply group code, 6 digits.") var supplyGroup: String
        @Option(help: "Key revision, 1 to 9.") var keyRevision = "1"
        @Option(help: "Key type (2: vending unique key).") var keyType = "2"

        func run() async throws {
            let (config, logger) = try common.load(logToStandardError: true)
            let key = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            let box = AppServices.vendingKeyBox(try AppServices.secretKey(config))
            try await withMigratedDatabase(config, logger) { database in
                do {
                    let loaded = try await VendingKeys(database: database, box: box).load(
                        supplyGroup: supplyGroup, keyRevision: keyRevision, keyType: keyType, key: key, by: nil)
                    print(
                        "Key \(loaded.fingerprint) loaded for supply group \(loaded.supplyGroup), revision \(loaded.keyRevision); \(loaded.enrolled) prepaid meters enrolled."
                    )
                } catch let refused as VendingKeys.Refused {
                    throw ValidationError(refused.problems.values.sorted().joined(separator: " "))
                }
            }
        }
    }
}
