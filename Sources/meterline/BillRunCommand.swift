import ArgumentParser
import Billing
import Foundation
import Metering
import Platform
import Synchronization
import Web

/// `meterline bill-run` (BL-2): draft a month's bills, show the draft, approve it as a second
/// finance user, issue it, or discard it. The same actions as the /finance pages.
struct BillRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bill-run", abstract: "Draft, show, approve, issue or discard a month's bills.",
        subcommands: [Draft.self, Show.self, Approve.self, Issue.self, Discard.self], defaultSubcommand: Draft.self)

    struct Draft: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Work out the month's bills as a draft (starting again resumes an interrupted run).")
        @OptionGroup var common: CommonOptions
        @Option(help: "The month, YYYY-MM.") var period: String
        @Option(help: "The finance user drafting the run.") var by: String

        func run() async throws {
            guard let month = BillingPeriod(period) else { throw ValidationError("--period must be a month such as 2026-10") }
            let (config, logger) = try common.load()
            try await withMigratedDatabase(config, logger) { database in
                let user = try await financeUser(by, in: database)
                // BR-2: the connected smart meters are read first, so that the run uses what they say today.
                if let secret = config.bridgeSecret {
                    let round = try await ReadAllMeters(database: database, link: HTTPBridgeLink(secret: Array(secret.utf8))).run(by: user)
                    if round.bridges > 0 { print("Read all meters: \(round.answered) of \(round.asked) answered in \(round.milliseconds) ms.") }
                }
                let bar = ProgressBar(label: "Drafting \(month.name)")
                let run = try await DraftBillRun(database: database, settings: config.billing).run(period: month, by: user) { done, total in
                    bar.show(done, of: total)
                }
                bar.finish()
                try await printPreview(run.id, database: database, currency: config.billing.currency)
                print("A second finance user approves it with: meterline bill-run approve --run \(run.id) --by <username>")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a run: totals, estimates, exceptions.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The run's number.") var run: Int64

        func run() async throws {
            let (config, logger) = try common.load()
            try await withMigratedDatabase(config, logger) { database in
                try await printPreview(run, database: database, currency: config.billing.currency)
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a drafted run (not by whoever drafted it), then issue it.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The run's number.") var run: Int64
        @Option(help: "The finance user approving.") var by: String

        func run() async throws {
            let (config, logger) = try common.load()
            try await withMigratedDatabase(config, logger) { database in
                let user = try await financeUser(by, in: database)
                try await ApproveBillRun(database: database).run(run, by: user)
                print("Run \(run) approved.")
                try await issue(run, database: database, settings: config.billing)
            }
        }
    }

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue an approved run, or resume issuing one that was interrupted.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The run's number.") var run: Int64

        func run() async throws {
            let (config, logger) = try common.load()
            try await withMigratedDatabase(config, logger) { database in
                try await issue(run, database: database, settings: config.billing)
            }
        }
    }

    struct Discard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Throw away a run that is not approved yet.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The run's number.") var run: Int64
        @Option(help: "The finance user discarding it.") var by: String

        func run() async throws {
            let (config, logger) = try common.load()
            try await withMigratedDatabase(config, logger) { database in
                let user = try await financeUser(by, in: database)
                try await DiscardBillRun(database: database).run(run, by: user)
                print("Run \(run) discarded; its month can be drafted again.")
            }
        }
    }
}

struct VerifyLedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-ledger",
        abstract: "Prove that ledger entries sum to balances, bill numbers have no gap, and the reports' totals are the entries' (BL-4).")
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let (config, logger) = try common.load()
        try await withMigratedDatabase(config, logger) { database in
            let report = try await VerifyLedger(database: database).run()
            print("\(report.entries) ledger entries, \(report.accounts) account balances.")
            guard report.isSound else {
                for problem in report.problems { print("  ✗ \(problem)") }
                throw LedgerUnsound(count: report.problems.count)
            }
            print(
                "The ledger is sound: entries sum to every balance, each issued bill has one entry, numbers have no gap, the reports' totals are the entries'."
            )
        }
    }

    struct LedgerUnsound: Error, CustomStringConvertible {
        let count: Int
        var description: String { "the ledger does not verify: \(count) problems" }
    }
}

private func issue(_ run: Int64, database: Database, settings: BillingSettings) async throws {
    let bar = ProgressBar(label: "Issuing")
    let issued = try await IssueBillRun(database: database, settings: settings).run(run) { done, total in bar.show(done, of: total) }
    bar.finish()
    print("Run \(run) issued: \(issued.accountsDone) bills for \(issued.period.name).")
}

/// The id of an active staff login with the finance role, or a clear refusal.
func financeUser(_ username: String, in database: Database) async throws -> Int64 {
    guard
        let row = try await database.query(
            "SELECT id FROM users WHERE lower(username) = lower($1) AND kind = 'staff' AND status = 'active' AND 'finance' = ANY (roles)",
            [username]
        ).rows.first
    else { throw ValidationError("\(username) is not an active staff login with the finance role") }
    return try row.decode("id")
}

private func printPreview(_ runID: Int64, database: Database, currency: Currency) async throws {
    let preview = try await BillRunPreview.load(runID, in: database, exceptionLimit: 20)
    let run = preview.run
    print("Run \(run.id), \(run.period.name): \(run.status.rawValue), drafted by \(run.createdByName)")
    func line(_ total: BillRunPreview.Total) -> String {
        "  \(total.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(String(total.bills).leftPadded(7)) bills \(String(total.units).leftPadded(11)) units \(currency.format(total.amount).leftPadded(16))"
    }
    print("By category:")
    for total in preview.byCategory { print(line(total)) }
    print("By area:")
    for total in preview.byArea { print(line(total)) }
    print(line(preview.overall))
    print("\(preview.estimated) bills on estimated readings; \(preview.exceptions.count) exceptions shown:")
    for exception in preview.exceptions {
        print("  \(exception.accountNumber)  \(exception.holderName): \(exception.explanation)")
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

/// A progress bar on the terminal (a line per tenth when output is not a terminal).
final class ProgressBar: Sendable {
    let label: String
    let interactive = isatty(STDOUT_FILENO) == 1
    private let lastTenth = Mutex(-1)

    init(label: String) {
        self.label = label
    }

    func show(_ done: Int, of total: Int) {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        if interactive {
            let filled = Int(fraction * 30)
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled)
            FileHandle.standardOutput.write(Data("\r\(label) \(bar) \(done)/\(total)".utf8))
        } else {
            let tenth = Int(fraction * 10)
            let changed = lastTenth.withLock { last in
                defer { last = tenth }
                return tenth != last
            }
            if changed { print("\(label): \(done)/\(total)") }
        }
    }

    func finish() {
        if interactive { print("") }
    }
}

struct LateFeesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "late-fees",
        abstract: "Charge the late fees now due and work out the arrears again (BL-6); the server also does this every hour.")
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let (config, logger) = try common.load()
        try await withMigratedDatabase(config, logger) { database in
            let charged = try await ApplyLateFees(database: database, graceDays: config.graceDays).run()
            try await Arrears(database: database).bringUpToDate()
            print("\(charged) late fees charged (bills \(config.graceDays) days past their due date, not disputed, still owed).")
        }
    }
}
