import Accounts
import Billing
import Hummingbird
import Identity
import Logging
import MeterProtocol
import Metering
import Notifications
import Payments
import Platform
import ServiceLifecycle
import Tickets

/// The middleware every request passes through, outermost first. Kept apart from the routes so
/// tests can mount their own routes behind exactly the same stack.
public func installMiddleware(on router: Router<AppRequestContext>, services: AppServices) {
    router.add(middleware: RequestMetricsMiddleware(registry: services.metrics))
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: LogRequestsMiddleware(.info))
    router.add(middleware: ErrorPageMiddleware(renderer: services.renderer, sessions: services.sessions))
    router.add(middleware: services.staticFiles)
    if services.config.trustProxy { router.add(middleware: ClientAddressMiddleware()) }
    router.add(middleware: SessionMiddleware(store: services.sessions, servedOverTLS: services.config.servedOverTLS))
    router.add(middleware: CSRFMiddleware())
}

public func buildRouter(services: AppServices) throws -> Router<AppRequestContext> {
    try buildSite(services: services).router
}

/// The router with every route of `Routes` registered in the group of its audience.
public func buildSite(services: AppServices) throws -> (router: Router<AppRequestContext>, site: SiteRouter) {
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    installMiddleware(on: router, services: services)
    let site = SiteRouter(
        router: router, bridgeSignature: services.config.bridgeSecret.map { BridgeSignature(secret: Array($0.utf8)) },
        clock: services.database.clock)
    try HomeController(renderer: services.renderer).addRoutes(to: site)
    let identity = try IdentityController(services: services, codes: services.codes)
    identity.addRoutes(to: site)
    RecoveryController(services: services, identity: identity).addRoutes(to: site)
    StaffController(services: services).addRoutes(to: site)
    AccountController(services: services).addRoutes(to: site)
    PremiseController(services: services).addRoutes(to: site)
    FieldController(services: services).addRoutes(to: site)
    OpsController(services: services).addRoutes(to: site)
    BridgeController(services: services).addRoutes(to: site)
    MeterCommandsController(services: services).addRoutes(to: site)
    AdminAccountsController(services: services).addRoutes(to: site)
    BillRunsController(services: services).addRoutes(to: site)
    BillController(services: services).addRoutes(to: site)
    FinanceBillsController(services: services).addRoutes(to: site)
    DisputesController(services: services).addRoutes(to: site)
    DefaultersController(services: services).addRoutes(to: site)
    FinanceReportsController(services: services).addRoutes(to: site)
    TariffsController(services: services).addRoutes(to: site)
    PaymentsController(services: services).addRoutes(to: site)
    PrepaidController(services: services).addRoutes(to: site)
    FinancePaymentsController(services: services).addRoutes(to: site)
    // Without an online gateway these URLs are not served (404), whatever the route table says.
    if let gateway = services.paymentGateway {
        GatewayCallbackController(services: services, gateway: gateway).addRoutes(to: site)
        ReconcileController(services: services, gateway: gateway).addRoutes(to: site)
    }
    if let webhooks = services.sandboxWebhooks {
        SandboxGatewayController(services: services, webhooks: webhooks).addRoutes(to: site)
    }
    AccountTicketsController(services: services).addRoutes(to: site)
    SupportTicketsController(services: services).addRoutes(to: site)
    ServiceStandardsController(services: services).addRoutes(to: site)
    MonitoringController(database: services.database, registry: services.metrics).addRoutes(to: site)
    if services.config.developmentMode {
        DevInboxController(database: services.database, renderer: services.renderer).addRoutes(to: site)
    }
    return (router, site)
}

/// The hourly passes: late fees, then the arrears they change (all of them, the first hour of a
/// day), then reminders (which skip bills just charged), then tickets.
func hourlyPasses(_ services: AppServices) -> [PeriodicService.Pass] {
    let lateFees = ApplyLateFees(database: services.database, graceDays: services.config.graceDays)
    let arrears = Arrears(database: services.database)
    let reminders = SendDueReminders(database: services.database, currency: services.config.billing.currency)
    let tickets = RunTicketClock(database: services.database, settings: services.config.tickets)
    return [
        .init("late fees") {
            let charged = try await lateFees.run()
            return charged > 0 ? "\(charged) charged" : ""
        },
        .init("arrears") {
            switch try await arrears.bringUpToDate() {
            case .all: return "every account worked out for the day"
            case .changed(let accounts): return accounts > 0 ? "\(accounts) accounts worked out again" : ""
            case .busy: return ""
            }
        },
        .init("due-date reminders") {
            let sent = try await reminders.run()
            return sent > 0 ? "\(sent) bills reminded" : ""
        },
        .init("tickets") {
            let outcome = try await tickets.run()
            return outcome == .init() ? "" : "\(outcome.closed) closed, \(outcome.compensated) compensated, \(outcome.escalated) escalated"
        },
    ]
}

public func buildApplication(services: AppServices) throws -> some ApplicationProtocol {
    var background: [any Service] = [
        DeliveryWorker(database: services.database, provider: services.notifier, logger: services.logger),
        SessionPurger(sessions: services.sessions, logger: services.logger),
        PeriodicService(passes: hourlyPasses(services), logger: services.logger),
    ]
    if let link = services.bridgeLink {
        let deliver = DeliverCommands(database: services.database, link: link, portalKey: services.commandKey)
        background.append(
            PeriodicService(
                passes: [
                    .init("meter commands") {
                        let outcome = try await deliver.run()
                        return outcome.passed > 0 || !outcome.unreachable.isEmpty
                            ? "\(outcome.passed) of \(outcome.offered) passed to meters\(outcome.unreachable.isEmpty ? "" : "; unreachable: \(outcome.unreachable.joined(separator: "; "))")"
                            : ""
                    }
                ], logger: services.logger, interval: .seconds(2)))
    }
    if let webhooks = services.sandboxWebhooks { background.append(SandboxWebhookService(webhooks: webhooks, logger: services.logger)) }
    return Application(
        router: try buildRouter(services: services),
        configuration: .init(address: .hostname(services.config.host, port: services.config.port), serverName: "Meterline"),
        services: background,
        logger: services.logger)
}
