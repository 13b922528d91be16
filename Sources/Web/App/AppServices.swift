import Accounts
import AsyncHTTPClient
import Identity
import Logging
import MeterProtocol
import Metering
import NIOCore
import Notifications
import Payments
import Platform
import Prepaid
import Prometheus

/// The dependencies built once at start and passed to every controller. No singletons.
public struct AppServices: Sendable {
    public let config: AppConfig
    public let database: Database
    public let renderer: PageRenderer
    /// `Public/`, held in memory.
    public let staticFiles: StaticFiles
    public let sessions: SessionStore
    public let passwords: PasswordHasher
    public let passwordPolicy: PasswordPolicy
    public let notifier: any NotificationProvider
    public let codes: OneTimeCodes
    public let emailLinks: EmailLinks
    /// Seals staff TOTP secrets in the database.
    public let totpSecrets: SecretBox
    /// Seals prepaid vending keys in the database (BL-8).
    public let vendingKeys: SecretBox
    /// Signs commands to meters (BR-3); meters hold its public key.
    public let commandKey: Secp256k1.PrivateKey
    /// The portal's signed calls to the bridges (BR-2, BR-3); nil when no bridge is let in.
    public let bridgeLink: (any BridgeLink)?
    public let rateLimiter: RateLimiter
    public let metrics: PrometheusCollectorRegistry
    public let logger: Logger
    /// Where consumers pay online (BL-5): the sandbox in development and tests; nil when the
    /// utility takes no payments online.
    public let paymentGateway: (any PaymentGateway)?
    /// The sandbox gateway's webhook sender; nil with a real gateway.
    public let sandboxWebhooks: SandboxWebhooks?

    /// Loads the templates and the password list, and builds the services around an open database.
    public static func make(
        config: AppConfig, database: Database, logger: Logger, httpClient: HTTPClient = .shared
    ) async throws -> AppServices {
        let notifier: any NotificationProvider =
            switch config.notifications {
            case .devInbox: DevInboxProvider()
            case .http(let url, let secret): HTTPGatewayProvider(url: url, secret: secret, client: httpClient)
            }
        let staticFiles = try StaticFiles(directory: config.publicDirectory)
        let assets = ["stylesheet": staticFiles.url(of: "/css/site.css"), "logo": staticFiles.url(of: "/img/logo.svg")]
        let secretKey = try secretKey(config)
        let webhookSecret =
            config.paymentWebhookSecret.map { Array($0.utf8) }
            ?? Digest.hmacSHA256(key: secretKey, message: Array("meterline payment webhook".utf8))
        let gateway: (any PaymentGateway)?
        let sandboxWebhooks: SandboxWebhooks?
        switch config.paymentGateway {
        case .none:
            gateway = nil
            sandboxWebhooks = nil
        case .sandbox:
            gateway = SandboxGateway(database: database, secret: webhookSecret, pageURL: { Routes.site.sandboxCheckout.url($0) })
            sandboxWebhooks = SandboxWebhooks(database: database, secret: webhookSecret, client: httpClient)
        case .http(let url, let key):
            gateway = HTTPPaymentGateway(baseURL: url, apiKey: key, webhookSecret: webhookSecret, client: httpClient)
            sandboxWebhooks = nil
        }
        return AppServices(
            config: config, database: database,
            renderer: try await PageRenderer(directory: config.templatesDirectory, assets: assets), staticFiles: staticFiles,
            sessions: SessionStore(
                database: database, lifetimeSeconds: config.sessionLifetimeSeconds,
                formKey: Digest.hmacSHA256(key: secretKey, message: Array("meterline form-token cookie".utf8))),
            passwords: PasswordHasher(parameters: config.passwordHashing, threads: System.coreCount),
            passwordPolicy: try PasswordPolicy.shipped(), notifier: notifier,
            codes: OneTimeCodes(key: secretKey),
            emailLinks: EmailLinks(
                key: secretKey, publicURL: config.publicURL,
                paths: [.login: Routes.site.loginLink.url(), .verifyEmail: Routes.site.emailVerify.url()]),
            totpSecrets: SecretBox(secretKey: secretKey, purpose: "totp"),
            vendingKeys: vendingKeyBox(secretKey), commandKey: AppServices.commandKey(secretKey),
            bridgeLink: config.bridgeSecret.map { HTTPBridgeLink(secret: Array($0.utf8), client: httpClient) },
            rateLimiter: RateLimiter(database: database), metrics: PrometheusCollectorRegistry(),
            logger: logger,
            paymentGateway: gateway, sandboxWebhooks: sandboxWebhooks)
    }

    /// SECRET_KEY, or in development the one kept in the data folder.
    public static func secretKey(_ config: AppConfig) throws -> [UInt8] {
        try config.secretKey.map { Array($0.utf8) } ?? DevelopmentSecret.loadOrCreate(in: config.dataDirectory)
    }

    /// What seals vending keys in the database (BL-8).
    public static func vendingKeyBox(_ secretKey: [UInt8]) -> SecretBox {
        SecretBox(secretKey: secretKey, purpose: "vending-keys")
    }

    /// The portal's command-signing key, derived from the secret key so that it needs no storing.
    public static func commandKey(_ secretKey: [UInt8]) -> Secp256k1.PrivateKey {
        var material = Digest.hmacSHA256(key: secretKey, message: Array("meterline command signing key".utf8))
        while true {
            if let key = Secp256k1.PrivateKey(material) { return key }
            material = Digest.sha256(material)
        }
    }

    /// Stops what the services started (the password-hashing threads); the database is the caller's.
    public func shutdown() async {
        await passwords.shutdown()
    }
}
