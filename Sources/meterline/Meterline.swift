import Accounts
import ArgumentParser
import Billing
import Configuration
import Foundation
import Identity
import Logging
import Metering
import Payments
import Platform
import Tickets
import Web

/// `meterline`: one binary for the portal and its operations (OP-2).
@main
struct Meterline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Meterline: the customer and operations portal of a utility.",
        discussion: """
            Settings come from the command line, then the environment, then defaults. \
            With no DATABASE_URL, a private PostgreSQL is started in DATA_DIR/pg (default .meterline/pg).
            """,
        subcommands: [
            Serve.self, Migrate.self, Seed.self, CreateStaffCommand.self, BillRunCommand.self, CreditNoteCommand.self, VerifyLedgerCommand.self,
            LateFeesCommand.self, MetersCommand.self, PrepaidCommand.self,
        ],
        defaultSubcommand: Serve.self)
}

/// Options every command shares, turned into the configuration the core reads.
struct CommonOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL or conninfo (env DATABASE_URL). Without it, the embedded database is used.")
    var databaseURL: String?

    @Option(help: "Folder for the embedded database and other local state (env DATA_DIR, default .meterline).")
    var dataDir: String?

    /// Commands whose standard output is data for another program log to standard error.
    func load(extra: [String: String] = [:], logToStandardError: Bool = false) throws -> (AppConfig, Logger) {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in extra { values[AbsoluteConfigKey(ConfigKey(key))] = .init(.string(value), isSecret: false) }
        if let databaseURL { values[AbsoluteConfigKey(ConfigKey(AppConfig.Key.databaseURL))] = .init(.string(databaseURL), isSecret: true) }
        if let dataDir { values[AbsoluteConfigKey(ConfigKey(AppConfig.Key.dataDirectory))] = .init(.string(dataDir), isSecret: false) }
        let reader = ConfigReader(providers: [InMemoryProvider(values: values), EnvironmentVariablesProvider()])
        let config: AppConfig
        do {
            config = try AppConfig.load(from: reader)
        } catch {
            throw CleanExit.failure(error)
        }
        LoggingSystem.bootstrap { label in
            var handler = logToStandardError ? StreamLogHandler.standardError(label: label) : StreamLogHandler.standardOutput(label: label)
            handler.logLevel = config.logLevel
            return handler
        }
        return (config, Logger(label: "meterline"))
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply migrations and serve the portal.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to listen on (env HTTP_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env HTTP_PORT, default 8080).")
    var port: Int?

    func run() async throws {
        var extra = [String: String]()
        if let host { extra[AppConfig.Key.host] = host }
        if let port { extra[AppConfig.Key.port] = String(port) }
        let (config, logger) = try common.load(extra: extra)
        try await withMigratedDatabase(config, logger, limits: config.databaseLimits) { database in
            let services = try await AppServices.make(config: config, database: database, logger: logger)
            let app = try buildApplication(services: services)
            logger.info("serving", metadata: ["url": "http://\(config.host):\(config.port)/"])
            try await app.runService()
            await services.shutdown()
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the migrations that have not been applied, then exit.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let (config, logger) = try common.load()
        try await withMigratedDatabase(config, logger) { applied, _ in
            print(applied.isEmpty ? "The database is up to date." : "Applied: " + applied.joined(separator: ", "))
        }
    }
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create demonstration data (safe to run again).")

    @OptionGroup var common: CommonOptions

    @Flag(help: "Create the demo accounts, meters, a year of readings and demo staff logins.")
    var demo = false

    @Option(help: "How many utility accounts in all (the five named demo accounts among them).")
    var accounts = 1000

    @Flag(inversion: .prefixedNo, help: "Issue a year of bills (--no-bills adds the tariffs only, for the billing benchmark).")
    var bills = true

    @Option(help: "One complaint ticket for every N accounts (1 fills the queue for the ticket benchmark).")
    var ticketsOneIn = 40

    /// Demo staff: the initial password is printed when the login is first made.
    static let staff: [(username: String, name: String, roles: Set<Role>)] = [
        ("demo.reader", "Dana Reader", [.meterReader]),
        ("demo.engineer", "Eli Engineer", [.engineer, .technician]),
        ("demo.admin", "Ada Admin", [.admin, .finance]),
        // A second finance user: bill runs are approved by someone other than who drafted them.
        ("demo.finance", "Fola Finance", [.finance]),
        ("demo.support", "Sam Support", [.support]),
    ]

    func run() async throws {
        guard demo else { throw ValidationError("say what to seed: --demo") }
        guard (5...10_000_000).contains(accounts) else { throw ValidationError("--accounts must be between 5 and 10000000") }
        guard ticketsOneIn >= 1 else { throw ValidationError("--tickets-one-in must be 1 or more") }
        let (config, logger) = try common.load()
        try await withMigratedDatabase(config, logger) { database in
            // On failure the process exits at once, so only success shuts the hashing thread down.
            let hasher = PasswordHasher(parameters: config.passwordHashing, threads: 1)
            let summary = try await DemoPopulation(database: database).seed(accounts: accounts) { step in
                print("  \(step)")
            }
            let rows = summary.accounts + summary.meters * 2 + summary.readings * 2 + summary.alerts
            print(
                String(
                    format: "Seeded %d accounts, %d meters, %d readings, %d alerts in %.1f s (%.0f rows/s).",
                    summary.accounts, summary.meters, summary.readings, summary.alerts, summary.seconds,
                    summary.seconds > 0 ? Double(rows) / summary.seconds : 0))
            print("Register at /register with one of these account numbers and its mobile:")
            for account in DemoAccounts.accounts {
                print("  \(account.number)  \(account.mobile)  \(account.holder), \(account.address)")
            }
            print("Staff logins (first sign-in: choose a password, then set up an authenticator app):")
            for member in Self.staff {
                do {
                    let created = try await CreateStaff(database: database, passwords: hasher).run(
                        username: member.username, fullName: member.name, roles: member.roles, by: nil, clientAddress: "cli")
                    print(
                        "  \(member.username)  initial password \(created.initialPassword)  (\(member.roles.map(\.rawValue).sorted().joined(separator: ", ")))"
                    )
                } catch let refused as CreateStaff.Refused where refused.problems == [.usernameTaken] {
                    print("  \(member.username)  exists already (its password was printed when it was made)")
                }
            }
            await hasher.shutdown()
            let finance = try await database.query(
                "SELECT username, id FROM users WHERE username IN ('demo.admin', 'demo.finance', 'demo.support')"
            ).rows.reduce(into: [String: Int64]()) { $0[try $1.decode("username")] = try $1.decode("id") }
            if let drafter = finance["demo.admin"], let approver = finance["demo.finance"] {
                try await DemoBilling(database: database, settings: config.billing).seed(
                    drafter: drafter, approver: approver, issueBills: bills
                ) { step in
                    print("  \(step)")
                }
                print(bills ? "Bills issued for the past year: drafted by demo.admin, approved by demo.finance." : "Tariffs added; no bills issued.")
                if bills {
                    let paid = try await DemoPayments(database: database, settings: config.payments).seed(
                        recordedBy: approver, verifiedBy: drafter)
                    if paid > 0 { print("\(paid) payments by bank transfer, recorded by demo.finance and verified by demo.admin.") }
                }
            }
            if let support = finance["demo.support"] {
                let raised = try await DemoTickets(database: database, settings: config.tickets).seed(supportID: support, oneIn: ticketsOneIn)
                if raised > 0 { print("\(raised) complaint tickets for demo.support's queue.") }
            }
        }
    }
}

struct CreateStaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-staff", abstract: "Create a staff login; prints its initial password once.")

    @OptionGroup var common: CommonOptions

    @Option(help: "The login name (3 to 32 letters, digits, dots, dashes, underscores).")
    var username: String

    @Option(help: "The person's full name.")
    var fullName: String?

    @Option(help: "Comma-separated roles: meter_reader, technician, engineer, support, finance, admin.")
    var roles: String

    func run() async throws {
        var unknown = [String]()
        let parsed = Set(
            roles.split(separator: ",").compactMap { name -> Role? in
                let role = Role(rawValue: name.trimmingCharacters(in: .whitespaces))
                if role == nil { unknown.append(String(name)) }
                return role
            })
        guard unknown.isEmpty else { throw ValidationError("unknown roles: \(unknown.joined(separator: ", "))") }
        let (config, logger) = try common.load()
        try await withMigratedDatabase(config, logger) { database in
            let hasher = PasswordHasher(parameters: config.passwordHashing, threads: 1)
            let created = try await CreateStaff(database: database, passwords: hasher).run(
                username: username, fullName: fullName ?? username, roles: parsed, by: nil, clientAddress: "cli")
            print("Created staff login \(username) (\(parsed.map(\.rawValue).sorted().joined(separator: ", "))).")
            print("Initial password, shown only now: \(created.initialPassword)")
            print("At the first sign-in they choose their own password and set up an authenticator app.")
            await hasher.shutdown()
        }
    }
}

/// Every command's frame: open the database (embedded or DATABASE_URL), apply the migrations,
/// run `body`, close; a failure anywhere is one clear line on stderr and exit code 1. Batch
/// commands run without server-side timeouts unless given `limits`.
func withMigratedDatabase(
    _ config: AppConfig, _ logger: Logger, limits: Database.Limits = .unlimited,
    _ body: ([String], Database) async throws -> Void
) async throws {
    let startup = try await DatabaseStartup.open(config: config, logger: logger, limits: limits)
    do {
        let applied = try await Migrator(directory: config.migrationsDirectory, logger: logger).migrate(startup.database)
        try await body(applied, startup.database)
    } catch {
        try? await startup.close()
        throw CleanExit.failure(error)
    }
    try await startup.close()
}

func withMigratedDatabase(
    _ config: AppConfig, _ logger: Logger, limits: Database.Limits = .unlimited, _ body: (Database) async throws -> Void
) async throws {
    try await withMigratedDatabase(config, logger, limits: limits) { _, database in try await body(database) }
}

/// Prints a failure as one clear message on stderr and exits 1, without a stack trace.
enum CleanExit {
    static func failure(_ error: any Error) -> any Error {
        FileHandle.standardError.write(Data("meterline: \(error)\n".utf8))
        return ExitCode.failure
    }
}
