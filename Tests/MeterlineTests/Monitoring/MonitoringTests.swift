import Hummingbird
import HummingbirdTesting
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("Health and metrics (OP-3)")
struct MonitoringTests {
    @Test("/healthz answers 200 when the database answers")
    func healthy() async throws {
        try await withTestDatabase { db in
            let app = try TestApp.application(services: try await TestApp.services(database: db))
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/healthz", method: .get)
                #expect(response.status == .ok)
                #expect(response.text == #"{"status":"ok","database":"up"}"#)
            }
        }
    }

    @Test("/healthz answers 503 when the database is down, and the site still serves its pages")
    func databaseDown() async throws {
        let db = Database(.init(url: "host=/tmp/meterline-nowhere port=1 user=nobody dbname=none", poolSize: 2))
        let app = try TestApp.application(services: try await TestApp.services(database: db))
        try await app.test(.router) { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .serviceUnavailable)
            #expect(health.text == #"{"status":"unavailable","database":"down"}"#)
            #expect(try await client.execute(uri: "/", method: .get).status == .ok)
        }
        await db.shutdown()
    }

    @Test("/metrics counts requests by route pattern and status, and reports the pool")
    func metrics() async throws {
        try await withTestDatabase { db in
            let app = try TestApp.application(services: try await TestApp.services(database: db))
            try await app.test(.router) { client in
                _ = try await client.execute(uri: "/", method: .get)
                _ = try await client.execute(uri: "/", method: .get)
                _ = try await client.execute(uri: "/missing-42", method: .get)
                _ = try await client.execute(uri: "/healthz", method: .get)
                let response = try await client.execute(uri: "/metrics", method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = response.text
                #expect(text.contains(#"http_requests_total{route="/",method="GET",status="200"} 2"#))
                #expect(text.contains(#"status="404"} 1"#))
                #expect(!text.contains("missing-42"))
                #expect(text.contains(#"http_request_duration_seconds_bucket{route="/healthz",method="GET",le="#))
                #expect(text.contains("db_pool_capacity_connections 4"))
                // The background services (delivery, the hourly passes) share the pool and may hold the
                // connection /healthz opened at this moment, so it is counted idle or in use, not always idle.
                let idle = text.firstMatch(of: /db_pool_connections\{state="idle"\} ([0-9.]+)/).flatMap { Double($0.1) }
                let inUse = text.firstMatch(of: /db_pool_connections\{state="in_use"\} ([0-9.]+)/).flatMap { Double($0.1) }
                #expect((1...4).contains(try #require(idle) + (try #require(inUse))))
            }
        }
    }
}
