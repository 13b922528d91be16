import Accounts
import Hummingbird
import Identity
import Logging
import Metering
import Notifications
import Platform
import Prometheus

/// OP-3: `/healthz` for load balancers (503 when the database does not answer) and `/metrics`
/// for Prometheus.
public struct MonitoringController: Sendable {
    let database: Database
    let registry: PrometheusCollectorRegistry

    public init(database: Database, registry: PrometheusCollectorRegistry) {
        self.database = database
        self.registry = registry
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(Routes.site.health, use: health)
        site.get(Routes.site.metrics, use: metrics)
    }

    @Sendable func health(_ request: Request, context: AppRequestContext) async -> Response {
        do {
            try await database.query("SELECT 1")
            return json(#"{"status":"ok","database":"up"}"#, status: .ok)
        } catch {
            context.logger.warning("health check: database unreachable", metadata: ["error": "\(error)"])
            return json(#"{"status":"unavailable","database":"down"}"#, status: .serviceUnavailable)
        }
    }

    @Sendable func metrics(_ request: Request, context: AppRequestContext) async -> Response {
        let pool = await database.statistics
        registry.makeGauge(descriptor: Self.connections, labels: [("state", "in_use")]).set(Int64(pool.inUse))
        registry.makeGauge(descriptor: Self.connections, labels: [("state", "idle")]).set(Int64(pool.idle))
        registry.makeGauge(descriptor: Self.capacity).set(Int64(pool.capacity))
        registry.makeGauge(descriptor: Self.waiting).set(Int64(pool.waiting))
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }

    static var connections: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "db_pool", unitName: "connections", helpText: "Open database connections, in use or idle")
    }
    static var capacity: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "db_pool_capacity", unitName: "connections", helpText: "Most database connections the pool opens")
    }
    static var waiting: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "db_pool_waiting", unitName: "requests", helpText: "Requests waiting for a database connection")
    }

    private func json(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
