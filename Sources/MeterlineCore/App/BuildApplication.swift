import Hummingbird
import Logging

/// The middleware every request passes through, outermost first. Kept apart from the routes so
/// tests can mount their own routes behind exactly the same stack.
public func installMiddleware(on router: Router<AppRequestContext>, services: AppServices) {
    router.add(middleware: RequestMetricsMiddleware(registry: services.metrics))
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: LogRequestsMiddleware(.info))
    router.add(middleware: ErrorPageMiddleware(renderer: services.renderer))
    router.add(middleware: FileMiddleware(
        services.config.publicDirectory, cacheControl: .init([(MediaType(type: .text), [.maxAge(3600), .public]), (MediaType(type: .image), [.maxAge(3600), .public])]),
        logger: services.logger))
    if services.config.trustProxy { router.add(middleware: ClientAddressMiddleware()) }
    router.add(middleware: SessionMiddleware(store: services.sessions, servedOverTLS: services.config.servedOverTLS))
    router.add(middleware: CSRFMiddleware())
}

public func buildRouter(services: AppServices) throws -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    installMiddleware(on: router, services: services)
    try HomeController(renderer: services.renderer).addRoutes(to: router)
    let identity = IdentityController(services: services, codes: services.codes)
    identity.addRoutes(to: router)
    RecoveryController(services: services, identity: identity).addRoutes(to: router)
    StaffController(services: services).addRoutes(to: router)
    AccountController(services: services).addRoutes(to: router)
    PremiseController(services: services).addRoutes(to: router)
    FieldController(services: services).addRoutes(to: router)
    OpsController(services: services).addRoutes(to: router)
    AdminAccountsController(services: services).addRoutes(to: router)
    OperationsController(database: services.database, registry: services.metrics).addRoutes(to: router)
    if services.config.developmentMode {
        DevInboxController(database: services.database, renderer: services.renderer).addRoutes(to: router)
    }
    return router
}

public func buildApplication(services: AppServices) throws -> some ApplicationProtocol {
    Application(
        router: try buildRouter(services: services),
        configuration: .init(address: .hostname(services.config.host, port: services.config.port), serverName: "Meterline"),
        services: [DeliveryWorker(database: services.database, provider: services.notifier, logger: services.logger)],
        logger: services.logger)
}
