import Configuration
import Testing
@testable import MeterlineCore

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
        let config = try AppConfig.load(from: reader(folders.merging([
            "database.url": "postgres://meterline@db.internal/meterline", "public.url": "https://portal.example",
        ]) { $1 }))
        #expect(config.databaseURL == "postgres://meterline@db.internal/meterline")
        #expect(config.servedOverTLS)
    }

    @Test("every invalid setting is reported at once, by its environment name")
    func invalidValuesListed() throws {
        let error = #expect(throws: AppConfig.Invalid.self) {
            try AppConfig.load(from: reader(folders.merging([
                "http.port": "eighty", "database.pool.size": "0", "log.level": "loud", "database.url": "mysql://x",
            ]) { $1 }))
        }
        #expect(error?.problems.count == 4)
        #expect(error?.description.contains("HTTP_PORT") == true)
        #expect(error?.description.contains("DATABASE_POOL_SIZE") == true)
    }

    @Test("a missing templates folder is named in the error")
    func missingFolder() throws {
        let error = #expect(throws: AppConfig.Invalid.self) {
            try AppConfig.load(from: reader(folders.merging(["templates.dir": "/nowhere/Templates"]) { $1 }))
        }
        #expect(error?.description.contains("/nowhere/Templates") == true)
    }
}
