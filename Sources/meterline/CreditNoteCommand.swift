import ArgumentParser
import Billing
import Platform

/// `meterline credit-note` (BL-2, BL-4): cancels an issued bill with a credit note, as the
/// /finance/bills page does.
struct CreditNoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credit-note", abstract: "Cancel an issued bill with a credit note for its whole amount.")
    @OptionGroup var common: CommonOptions
    @Argument(help: "The bill's number, e.g. MTL-2026-000123.") var bill: String
    @Option(help: "Why it is credited; the consumer reads it.") var reason: String
    @Option(help: "The finance user crediting it.") var by: String
    @Flag(help: "Also issue a corrected bill for the month, from the readings as they stand now.") var rebill = false

    func run() async throws {
        let (config, logger) = try common.load()
        try await withMigratedDatabase(config, logger) { database in
            let user = try await financeUser(by, in: database)
            let note = try await IssueCreditNote(database: database, settings: config.billing).run(
                billNumber: bill, reason: reason, rebill: rebill, by: user, clientAddress: "cli")
            print("Credit note \(note.number) cancels bill \(note.billNumber) for \(config.billing.currency.format(note.amount)).")
            if let replacement = note.replacement {
                print("Corrected bill \(replacement.number): \(config.billing.currency.format(replacement.total)).")
            }
        }
    }
}
