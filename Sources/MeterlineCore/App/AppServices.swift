import Logging
import Prometheus

/// The dependencies built once at start and passed to every controller. No singletons.
public struct AppServices: Sendable {
    public let config: AppConfig
    public let database: Database
    public let renderer: PageRenderer
    public let sessions: SessionStore
    public let metrics: PrometheusCollectorRegistry
    public let logger: Logger

    public init(config: AppConfig, database: Database, renderer: PageRenderer, metrics: PrometheusCollectorRegistry, logger: Logger) {
        self.config = config
        self.database = database
        self.renderer = renderer
        self.sessions = SessionStore(database: database, lifetimeSeconds: config.sessionLifetimeSeconds)
        self.metrics = metrics
        self.logger = logger
    }

    /// Loads the templates and builds the services around an open database.
    public static func make(config: AppConfig, database: Database, logger: Logger) async throws -> AppServices {
        AppServices(
            config: config, database: database, renderer: try await PageRenderer(directory: config.templatesDirectory),
            metrics: PrometheusCollectorRegistry(), logger: logger)
    }
}
