import Configuration
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("Configuration")
struct AppConfigTests {
    func reader(_ values: [String: String]) -> ConfigReader {
        var entries = [AbsoluteConfigKey: ConfigValue]()
        for (key, value) in values { entries[AbsoluteConfigKey(ConfigKey(key))] = .init(.string(value), isSecret: false) }
        return ConfigReader(provider: InMemoryProvider(values: entries))
    }

    let folders = [
        AppConfig.Key.templatesDirectory: Checkout.templates, AppConfig.Key.publicDirectory: Checkout.publicFiles,
        AppConfig.Key.migrationsDirectory: Checkout.migrations,
    ]

    @Test("with nothing set, the portal serves on 127.0.0.1:8080 with the embedded database")
    func defaults() throws {
        let config = try AppConfig.load(from: reader(folders))
        #expect(config.host == "127.0.0.1")
        #expect(config.port == 8080)
        #expect(config.databaseURL == nil)
        #expect(config.dataDirectory == ".meterline")
        #expect(config.servedOverTLS == false)
    }

    @Test("DATABASE_URL selects an outside server; an https public URL makes cookies Secure")
    func databaseURLAndTLS() throws {
        let config = try AppConfig.load(
            from: reader(
                folders.merging([
                    "database.url": "postgres://meterline@db.internal/meterline", "public.url": "https://portal.example",
                    "dev.mode": "true",
                ]) { $1 }))
        #expect(config.databaseURL == "postgres://meterline@db.internal/meterline")
        #expect(config.servedOverTLS)
    }

    @Test("every invalid setting is reported at once, by its environment name")
    func invalidValuesListed() throws {
        let error = #expect(throws: AppConfig.Invalid.self) {
            try AppConfig.load(
                from: reader(
                    folders.merging([
                        "http.port": "eighty", "database.pool.size": "0", "log.level": "loud", "database.url": "mysql://x",
                        "dev.mode": "maybe",
                    ]) { $1 }))
        }
        // The four above, dev.mode, and what production requires: gateway URL and secret, secret key.
        #expect(error?.problems.count == 8)
        #expect(error?.description.contains("HTTP_PORT") == true)
        #expect(error?.description.contains("DATABASE_POOL_SIZE") == true)
    }

    @Test("the utility's time zone and credit note series come from configuration; abbreviations and clashes are refused")
    func timeZoneAndCreditNotes() throws {
        let kolkata = try AppConfig.load(from: reader(folders.merging(["time.zone": "Asia/Kolkata", "credit.note.prefix": "CRN"]) { $1 }))
        #expect(kolkata.timeZone.identifier == "Asia/Kolkata")
        #expect(kolkata.billing.creditNotePrefix == "CRN")
        #expect(kolkata.billing.backBillingMonths == 12)
        #expect(kolkata.billing.draftWorkers == 2)
        #expect(try AppConfig.load(from: reader(folders)).timeZone.secondsFromGMT() == 0)
        let error = #expect(throws: AppConfig.Invalid.self) {
            try AppConfig.load(
                from: reader(
                    folders.merging(["time.zone": "IST", "credit.note.prefix": "MTL", "bill.backbilling.months": "0", "bill.draft.workers": "0"]) {
                        $1
                    }))
        }
        #expect(error?.problems.count == 4)
        #expect(error?.description.contains("BILL_DRAFT_WORKERS") == true)
        #expect(error?.description.contains("TIME_ZONE") == true)
        #expect(error?.description.contains("CREDIT_NOTE_PREFIX") == true)
        #expect(error?.description.contains("BILL_BACKBILLING_MONTHS") == true)
    }

    @Test("a missing templates folder is named in the error")
    func missingFolder() throws {
        let error = #expect(throws: AppConfig.Invalid.self) {
            try AppConfig.load(from: reader(folders.merging(["templates.dir": "/nowhere/Templates"]) { $1 }))
        }
        #expect(error?.description.contains("/nowhere/Templates") == true)
    }

    @Test("development mode, and with it the dev inbox, is on with the embedded database and off with DATABASE_URL")
    func developmentModeFollowsTheDatabase() throws {
        let embedded = try AppConfig.load(from: reader(folders))
        #expect(embedded.developmentMode)
        #expect(embedded.notifications == .devInbox)
        let error = #expect(throws: AppConfig.Invalid.self) {
            try AppConfig.load(from: reader(folders.merging(["database.url": "postgres://db/meterline"]) { $1 }))
        }
        #expect(error?.description.contains("NOTIFICATIONS_HTTP_URL") == true)
        #expect(error?.description.contains("NOTIFICATIONS_HTTP_SECRET") == true)
    }

    @Test("production settings: an HTTP gateway with a long secret; the dev inbox is refused")
    func productionNotifications() throws {
        let production = folders.merging([
            "database.url": "postgres://db/meterline", "notifications.http.url": "https://sms.utility.example/send",
            "notifications.http.secret": String(repeating: "s", count: 40),
            "secret.key": String(repeating: "k", count: 40),
        ]) { $1 }
        let config = try AppConfig.load(from: reader(production))
        #expect(config.developmentMode == false)
        #expect(config.notifications == .http(url: "https://sms.utility.example/send", secret: String(repeating: "s", count: 40)))
        #expect(throws: AppConfig.Invalid.self) {
            try AppConfig.load(from: reader(production.merging(["notifications.provider": "dev-inbox"]) { $1 }))
        }
    }

    @Test("Argon2 parameters come from configuration")
    func passwordParameters() throws {
        let config = try AppConfig.load(from: reader(folders.merging(["password.memory.kib": "65536", "password.iterations": "3"]) { $1 }))
        #expect(config.passwordHashing == .init(memoryKiB: 65536, iterations: 3, parallelism: 1))
        #expect(try AppConfig.load(from: reader(folders)).passwordHashing == .init())
    }

    @Test("outside development a secret key of at least 32 characters is required")
    func secretKeyRequired() throws {
        let production = folders.merging([
            "database.url": "postgres://db/meterline", "notifications.http.url": "https://sms.utility.example/send",
            "notifications.http.secret": String(repeating: "s", count: 40),
        ]) { $1 }
        let missing = #expect(throws: AppConfig.Invalid.self) { try AppConfig.load(from: reader(production)) }
        #expect(missing?.description.contains("SECRET_KEY") == true)
        #expect(throws: AppConfig.Invalid.self) {
            try AppConfig.load(from: reader(production.merging(["secret.key": "short"]) { $1 }))
        }
        #expect(try AppConfig.load(from: reader(folders)).secretKey == nil)
    }
}
