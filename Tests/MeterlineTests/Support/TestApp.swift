import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

/// Builds the real services and middleware around a test database.
enum TestApp {
    static func config(publicURL: String = "http://127.0.0.1:8080") -> AppConfig {
        AppConfig(
            host: "127.0.0.1", port: 8080, databaseURL: nil, databasePoolSize: 4, dataDirectory: "/tmp",
            templatesDirectory: Checkout.templates, publicDirectory: Checkout.publicFiles,
            migrationsDirectory: Checkout.migrations, publicURL: publicURL, sessionLifetimeSeconds: 3600,
            logLevel: .warning, developmentMode: true, notifications: .devInbox,
            passwordHashing: .init(memoryKiB: 1024, iterations: 1, parallelism: 1),
            secretKey: "test-secret-key-that-is-at-least-32-characters")
    }

    static func services(database: Database, publicURL: String = "http://127.0.0.1:8080") async throws -> AppServices {
        var logger = Logger(label: "test-app")
        logger.logLevel = .warning
        return try await AppServices.make(config: config(publicURL: publicURL), database: database, logger: logger)
    }

    /// The whole application, as `meterline serve` builds it.
    static func application(services: AppServices) throws -> some ApplicationProtocol {
        try buildApplication(services: services)
    }

    /// The real middleware stack with routes a test adds itself.
    static func application(
        services: AppServices, routes: (Router<AppRequestContext>) -> Void
    ) -> some ApplicationProtocol {
        let router = Router(context: AppRequestContext.self)
        installMiddleware(on: router, services: services)
        routes(router)
        return Application(router: router, logger: services.logger)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The `name=value` pair and attributes of the Set-Cookie for `name`, if any.
    func setCookie(named name: String) -> String? {
        headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
    }

    /// The cookie value to send back, taken from Set-Cookie.
    func cookieValue(named name: String) -> String? {
        setCookie(named: name).map { String($0.split(separator: ";")[0].dropFirst(name.count + 1)) }
    }
}
