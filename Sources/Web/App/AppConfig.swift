import Accounts
import Billing
import Configuration
import Foundation
import Identity
import Logging
import MeterProtocol
import Metering
import Notifications
import Payments
import Platform
import Prepaid
import Tickets

/// Every setting Meterline reads, read once at start from a `ConfigReader` (command line, then
/// environment, then defaults). Invalid values fail start-up together, with the list of problems.
public struct AppConfig: Sendable {
    public var host: String
    public var port: Int
    /// nil: start the embedded PostgreSQL in `dataDirectory/pg` (OP-1).
    public var databaseURL: String?
    public var databasePoolSize: Int
    /// Limits on every pooled connection: a statement, a wait for a lock, a wait for a connection.
    public var databaseLimits: Database.Limits = .init()
    public var dataDirectory: String
    public var templatesDirectory: String
    public var publicDirectory: String
    public var migrationsDirectory: String
    /// The address people use; an https:// one makes cookies Secure.
    public var publicURL: String
    public var sessionLifetimeSeconds: Int
    public var logLevel: Logger.Level
    /// Development conveniences such as the /dev/inbox page. Defaults to on exactly when the
    /// embedded database is used, which is development by definition; never on in production.
    public var developmentMode: Bool
    public var notifications: NotificationsSettings
    public var passwordHashing: PasswordHasher.Parameters
    /// Keys the HMAC of one-time codes; every server of one site must share it. In development,
    /// when unset, a key is made once and kept in `DATA_DIR/secret.key`.
    public var secretKey: String?
    /// How long five failed sign-ins in a row lock password sign-in (ID-5).
    public var loginLockSeconds: Int = 900
    /// Take the client address from X-Forwarded-For (only behind a proxy that sets it).
    public var trustProxy: Bool = false
    /// A consumer login unused this long is suspended until reactivated by code (ID-5).
    public var idleDays: Int = 180
    /// A reading whose daily use is more than this many times the account's usual is flagged (MT-3).
    public var highUseFactor: Int = 3
    /// The currency, bill numbers and due days of bills (BL-2).
    public var billing = BillingSettings()
    /// Days after a bill's due date before its late fee is charged (BL-6).
    public var graceDays = 7
    /// Receipts and the largest payment taken (BL-5).
    public var payments = PaymentSettings()
    /// Where consumers pay online: the built-in sandbox (development and tests) or a gateway's
    /// HTTP API.
    public var paymentGateway: PaymentGatewaySettings = .sandbox
    /// The secret the payment gateway signs its callbacks with. In development, when unset, it is
    /// derived from the secret key (the sandbox gateway is in the same process).
    public var paymentWebhookSecret: String?
    /// The price of prepaid electricity and the emergency token's credit (BL-8).
    public var prepaid = PrepaidSettings(pricePerKilowattHour: Money(minorUnits: 25))
    /// Shared with the device bridges, which sign every call with it (BR-1). Unset: no bridge is
    /// let in.
    public var bridgeSecret: String?
    /// Complaints' escalation period and forum, and the reopen window (TK-3).
    public var tickets = TicketSettings()
    /// The utility's time zone: "today", bill dates and shown times are its local ones.
    public var timeZone = TimeZone.utc

    public enum PaymentGatewaySettings: Sendable, Equatable {
        /// No online payments: consumers pay at the office or by bank transfer.
        case none
        /// Development and tests only: anyone could pay with a test card.
        case sandbox
        case http(url: String, key: String)
    }

    public enum NotificationsSettings: Sendable, Equatable {
        case devInbox
        case http(url: String, secret: String)
    }

    /// Key names as written in code; the environment spells them upper-case with `_`
    /// (`database.url` is DATABASE_URL, `http.port` is HTTP_PORT).
    public enum Key {
        public static let host = "http.host"
        public static let port = "http.port"
        public static let databaseURL = "database.url"
        public static let databasePoolSize = "database.pool.size"
        public static let statementTimeout = "database.statement.timeout.ms"
        public static let lockTimeout = "database.lock.timeout.ms"
        public static let poolWait = "database.pool.wait.ms"
        public static let dataDirectory = "data.dir"
        public static let currencyCode = "currency.code"
        public static let currencyMinorDigits = "currency.minor.digits"
        public static let currencySymbol = "currency.symbol"
        public static let billNumberPrefix = "bill.number.prefix"
        public static let billDueDays = "bill.due.days"
        public static let billGraceDays = "bill.grace.days"
        public static let timeZone = "time.zone"
        public static let backBillingMonths = "bill.backbilling.months"
        public static let creditNotePrefix = "credit.note.prefix"
        public static let draftWorkers = "bill.draft.workers"
        public static let receiptPrefix = "payment.receipt.prefix"
        public static let paymentWebhookSecret = "payment.webhook.secret"
        public static let paymentGateway = "payment.gateway"
        public static let paymentGatewayURL = "payment.gateway.url"
        public static let paymentGatewayKey = "payment.gateway.key"
        public static let bridgeSecret = "bridge.secret"
        public static let prepaidPrice = "prepaid.price"
        public static let prepaidDebtRecoveryPercent = "prepaid.debt.recovery.percent"
        public static let ticketEscalationDays = "ticket.escalation.days"
        public static let ticketEscalationForum = "ticket.escalation.forum"
        public static let templatesDirectory = "templates.dir"
        public static let publicDirectory = "public.dir"
        public static let migrationsDirectory = "migrations.dir"
        public static let publicURL = "public.url"
        public static let sessionHours = "session.hours"
        public static let logLevel = "log.level"
        public static let developmentMode = "dev.mode"
        public static let notificationsProvider = "notifications.provider"
        public static let notificationsURL = "notifications.http.url"
        public static let notificationsSecret = "notifications.http.secret"
        public static let passwordMemory = "password.memory.kib"
        public static let passwordIterations = "password.iterations"
        public static let passwordParallelism = "password.parallelism"
        public static let secretKey = "secret.key"
        public static let loginLockMinutes = "login.lock.minutes"
        public static let trustProxy = "http.trust.proxy"
        public static let idleDays = "login.idle.days"
        public static let highUseFactor = "readings.high.factor"
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let problems: [String]
        public var description: String {
            "configuration is not valid:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    public static func load(from reader: ConfigReader) throws -> AppConfig {
        var problems = [String]()
        func text(_ key: String, _ fallback: String) -> String {
            reader.string(forKey: ConfigKey(key)).flatMap { $0.isEmpty ? nil : $0 } ?? fallback
        }
        func integer(_ key: String, _ fallback: Int, in range: ClosedRange<Int>) -> Int {
            let raw = text(key, String(fallback))
            guard let value = Int(raw), range.contains(value) else {
                problems.append(
                    "\(key) (\(environmentName(key))) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(raw)'")
                return fallback
            }
            return value
        }

        func boolean(_ key: String, _ fallback: Bool) -> Bool {
            let raw = text(key, fallback ? "true" : "false").lowercased()
            switch raw {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default:
                problems.append("\(key) (\(environmentName(key))) must be true or false, not '\(raw)'")
                return fallback
            }
        }

        let rawLevel = text(Key.logLevel, "info")
        let level = Logger.Level(rawValue: rawLevel.lowercased())
        if level == nil {
            problems.append("\(Key.logLevel) (LOG_LEVEL) must be one of trace, debug, info, notice, warning, error, critical")
        }
        let databaseURL = reader.string(forKey: ConfigKey(Key.databaseURL)).flatMap { $0.isEmpty ? nil : $0 }
        if let databaseURL, !(databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://") || databaseURL.contains("=")) {
            problems.append("database.url (DATABASE_URL) must be a postgres:// URL or a libpq conninfo string")
        }
        let developmentMode = boolean(Key.developmentMode, databaseURL == nil)
        let notifications: NotificationsSettings
        switch text(Key.notificationsProvider, developmentMode ? "dev-inbox" : "http") {
        case "dev-inbox":
            if !developmentMode {
                problems.append("notifications.provider (NOTIFICATIONS_PROVIDER) dev-inbox delivers nothing: use http outside development")
            }
            notifications = .devInbox
        case "http":
            let url = text(Key.notificationsURL, "")
            let secret = text(Key.notificationsSecret, "")
            if !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                problems.append("notifications.http.url (NOTIFICATIONS_HTTP_URL) is required: the gateway's http(s):// URL")
            }
            if secret.utf8.count < 32 {
                problems.append("notifications.http.secret (NOTIFICATIONS_HTTP_SECRET) is required: at least 32 characters")
            }
            notifications = .http(url: url, secret: secret)
        case let other:
            problems.append("notifications.provider (NOTIFICATIONS_PROVIDER) must be dev-inbox or http, not '\(other)'")
            notifications = .devInbox
        }
        let passwordHashing = PasswordHasher.Parameters(
            memoryKiB: UInt32(integer(Key.passwordMemory, 19_456, in: 8...4_194_304)),
            iterations: UInt32(integer(Key.passwordIterations, 2, in: 1...100)),
            parallelism: UInt32(integer(Key.passwordParallelism, 1, in: 1...64)))
        let secretKey = reader.string(forKey: ConfigKey(Key.secretKey), isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
        if let secretKey, secretKey.utf8.count < 32 {
            problems.append("secret.key (SECRET_KEY) must be at least 32 characters")
        } else if secretKey == nil, !developmentMode {
            problems.append("secret.key (SECRET_KEY) is required outside development: at least 32 random characters")
        }
        let loginLockMinutes = integer(Key.loginLockMinutes, 15, in: 1...1440)
        let trustProxy = boolean(Key.trustProxy, false)
        let idleDays = integer(Key.idleDays, 180, in: 1...3650)
        let highUseFactor = integer(Key.highUseFactor, 3, in: 2...100)
        let port = integer(Key.port, 8080, in: 1...65535)
        let host = text(Key.host, "127.0.0.1")
        var config = AppConfig(
            host: host,
            port: port,
            databaseURL: databaseURL,
            databasePoolSize: integer(Key.databasePoolSize, 8, in: 1...200),
            dataDirectory: text(Key.dataDirectory, ".meterline"),
            templatesDirectory: text(Key.templatesDirectory, "Templates"),
            publicDirectory: text(Key.publicDirectory, "Public"),
            migrationsDirectory: text(Key.migrationsDirectory, "Migrations"),
            publicURL: text(Key.publicURL, "http://\(host):\(port)"),
            sessionLifetimeSeconds: integer(Key.sessionHours, 12, in: 1...24 * 90) * 3600,
            logLevel: level ?? .info,
            developmentMode: developmentMode,
            notifications: notifications,
            passwordHashing: passwordHashing,
            secretKey: secretKey,
            loginLockSeconds: loginLockMinutes * 60,
            trustProxy: trustProxy,
            idleDays: idleDays,
            highUseFactor: highUseFactor)
        config.databaseLimits = Database.Limits(
            statementTimeoutMilliseconds: integer(Key.statementTimeout, 30_000, in: 0...3_600_000),
            lockTimeoutMilliseconds: integer(Key.lockTimeout, 5_000, in: 0...3_600_000),
            poolWaitMilliseconds: integer(Key.poolWait, 5_000, in: 1...600_000))
        let currencyCode = text(Key.currencyCode, "GBP")
        if currencyCode.count != 3 || !currencyCode.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            problems.append("currency.code (CURRENCY_CODE) must be a three-letter ISO code such as GBP")
        }
        let prefix = text(Key.billNumberPrefix, "MTL")
        if prefix.count < 2 || prefix.count > 6 || !prefix.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            problems.append("bill.number.prefix (BILL_NUMBER_PREFIX) must be 2 to 6 capital letters")
        }
        let creditPrefix = text(Key.creditNotePrefix, "CN")
        if creditPrefix.count < 2 || creditPrefix.count > 6 || !creditPrefix.allSatisfy({ $0.isASCII && $0.isUppercase }) || creditPrefix == prefix {
            problems.append("credit.note.prefix (CREDIT_NOTE_PREFIX) must be 2 to 6 capital letters, other than the bill number prefix")
        }
        let minorDigits = integer(Key.currencyMinorDigits, 2, in: 0...4)
        config.billing = BillingSettings(
            currency: Currency(
                code: currencyCode, minorDigits: minorDigits,
                symbol: reader.string(forKey: ConfigKey(Key.currencySymbol)) ?? (currencyCode == "GBP" ? "£" : nil)),
            billNumberPrefix: prefix, dueDays: integer(Key.billDueDays, 21, in: 1...120),
            backBillingMonths: integer(Key.backBillingMonths, 12, in: 1...120), creditNotePrefix: creditPrefix,
            draftWorkers: integer(Key.draftWorkers, 2, in: 1...16))
        config.graceDays = integer(Key.billGraceDays, 7, in: 0...120)
        let receiptPrefix = text(Key.receiptPrefix, "RC")
        if receiptPrefix.count < 2 || receiptPrefix.count > 6 || !receiptPrefix.allSatisfy({ $0.isASCII && $0.isUppercase })
            || [prefix, creditPrefix].contains(receiptPrefix)
        {
            problems.append(
                "payment.receipt.prefix (PAYMENT_RECEIPT_PREFIX) must be 2 to 6 capital letters, other than the bill and credit note prefixes")
        }
        config.payments = PaymentSettings(currency: config.billing.currency, receiptPrefix: receiptPrefix)
        if [prefix, creditPrefix, receiptPrefix].contains(config.tickets.prefix) {
            problems.append("bill, credit note and receipt prefixes must not be \(config.tickets.prefix): ticket numbers use it")
        }
        config.tickets.currency = config.billing.currency
        config.tickets.escalationDays = integer(Key.ticketEscalationDays, 45, in: 1...365)
        let forum = text(Key.ticketEscalationForum, config.tickets.escalationForum)
        if forum.isEmpty || forum.count > 300 {
            problems.append("ticket.escalation.forum (TICKET_ESCALATION_FORUM) must name the grievance forum or ombudsman, in at most 300 characters")
        } else {
            config.tickets.escalationForum = forum
        }
        do {
            config.prepaid.pricePerKilowattHour = try config.payments.amount(text(Key.prepaidPrice, "0.25"))
        } catch {
            problems.append("prepaid.price (PREPAID_PRICE) must be the price of one kWh, like 0.25: \(error.description)")
        }
        config.prepaid.debtRecoveryPercent = integer(Key.prepaidDebtRecoveryPercent, 25, in: 0...90)
        config.bridgeSecret = reader.string(forKey: ConfigKey(Key.bridgeSecret), isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
        if let secret = config.bridgeSecret, secret.utf8.count < BridgeSignature.minimumSecretLength {
            problems.append("bridge.secret (BRIDGE_SECRET) must be at least \(BridgeSignature.minimumSecretLength) characters")
        }
        config.paymentWebhookSecret = reader.string(forKey: ConfigKey(Key.paymentWebhookSecret)).flatMap { $0.isEmpty ? nil : $0 }
        if let secret = config.paymentWebhookSecret, secret.utf8.count < 32 {
            problems.append("payment.webhook.secret (PAYMENT_WEBHOOK_SECRET) must be at least 32 characters")
        }
        switch text(Key.paymentGateway, developmentMode ? "sandbox" : "none") {
        case "none": config.paymentGateway = .none
        case "sandbox" where developmentMode: config.paymentGateway = .sandbox
        case "sandbox":
            problems.append("payment.gateway (PAYMENT_GATEWAY) sandbox takes test cards, so it runs only in development (DEV_MODE); use http or none")
        case "http":
            let url = text(Key.paymentGatewayURL, "")
            let key = text(Key.paymentGatewayKey, "")
            // The API key travels with every call: over TLS, except to a gateway on this machine in development.
            if !(url.hasPrefix("https://") || (developmentMode && url.hasPrefix("http://"))) {
                problems.append("payment.gateway.url (PAYMENT_GATEWAY_URL) must be the gateway's API address, https://…")
            }
            if key.isEmpty { problems.append("payment.gateway.key (PAYMENT_GATEWAY_KEY) must be set to the gateway's API key") }
            if config.paymentWebhookSecret == nil {
                problems.append("payment.webhook.secret (PAYMENT_WEBHOOK_SECRET) must be set to the secret the gateway signs callbacks with")
            }
            config.paymentGateway = .http(url: url, key: key)
        case let other:
            problems.append("payment.gateway (PAYMENT_GATEWAY) must be http, none, or sandbox in development, not '\(other)'")
        }
        let zoneName = text(Key.timeZone, "UTC")
        // Only names (Asia/Kolkata), not abbreviations: "IST" means three different zones.
        if zoneName.contains("/") || zoneName == "UTC", let zone = TimeZone(identifier: zoneName) {
            config.timeZone = zone
        } else {
            problems.append("time.zone (TIME_ZONE) must be a time zone name such as Europe/London or Asia/Kolkata, or UTC")
        }
        for (key, path) in [
            (Key.templatesDirectory, config.templatesDirectory), (Key.publicDirectory, config.publicDirectory),
            (Key.migrationsDirectory, config.migrationsDirectory),
        ]
        where !FileManager.default.fileExists(atPath: path) {
            problems.append("\(key) (\(environmentName(key))): no folder at \(path) (run from the checkout, or set it)")
        }
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        return config
    }

    static func environmentName(_ key: String) -> String {
        key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// Cookies carry Secure when people reach us over TLS.
    public var servedOverTLS: Bool { publicURL.lowercased().hasPrefix("https://") }
}
