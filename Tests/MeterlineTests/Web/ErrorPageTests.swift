import Hummingbird
import HummingbirdTesting
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("Error pages and security headers")
struct ErrorPageTests {
    struct Exploded: Error { let secret = "password=hunter2 at /work/main/Sources/Secret.swift:12" }

    static func routes(_ router: Router<AppRequestContext>) {
        router.get("/explode") { _, _ -> String in throw Exploded() }
        router.get("/bad") { _, _ -> String in throw HTTPError(.badRequest, message: "internal parser state 0x7f") }
        router.get("/database-down") { _, _ -> String in
            throw DatabaseError(kind: .connection, message: "could not connect to server: /tmp/.s.PGSQL.5432")
        }
    }

    @Test("an unknown address gets a 404 page that helps the person back")
    func notFound() async throws {
        try await withTestDatabase { db in
            let app = try TestApp.application(services: try await TestApp.services(database: db))
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/no/such/page", method: .get)
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.text.contains("Page not found"))
                #expect(response.text.contains(#"href="/""#))
            }
        }
    }

    @Test("an unexpected error is a 500 page with a reference, never the error's text or a stack trace")
    func internalError() async throws {
        try await withTestDatabase { db in
            let app = TestApp.application(services: try await TestApp.services(database: db), routes: Self.routes)
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/explode", method: .get)
                #expect(response.status == .internalServerError)
                #expect(response.text.contains("Something went wrong on our side"))
                let requestID = try #require(response.headers[.init("X-Request-Id")!])
                #expect(response.text.contains(requestID))
                #expect(!response.text.contains("hunter2"))
                #expect(!response.text.contains("Secret.swift"))
            }
        }
    }

    @Test("a bad request is a 400 page that does not echo internal messages")
    func badRequest() async throws {
        try await withTestDatabase { db in
            let app = TestApp.application(services: try await TestApp.services(database: db), routes: Self.routes)
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/bad", method: .get)
                #expect(response.status == .badRequest)
                #expect(response.text.contains("could not read that request"))
                #expect(!response.text.contains("0x7f"))
            }
        }
    }

    @Test("losing the database is a 503 page asking to retry, without connection details")
    func databaseUnavailable() async throws {
        try await withTestDatabase { db in
            let app = TestApp.application(services: try await TestApp.services(database: db), routes: Self.routes)
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/database-down", method: .get)
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "30")
                #expect(!response.text.contains("PGSQL"))
            }
        }
    }

    @Test("every response, error pages included, carries the security headers and a request id")
    func securityHeaders() async throws {
        try await withTestDatabase { db in
            let app = TestApp.application(services: try await TestApp.services(database: db), routes: Self.routes)
            try await app.test(.router) { client in
                for uri in ["/", "/no/such/page", "/explode", "/css/site.css"] {
                    let response = try await client.execute(uri: uri, method: .get)
                    let policy = try #require(response.headers[.contentSecurityPolicy], "no CSP on \(uri)")
                    #expect(policy.contains("frame-ancestors 'none'"))
                    #expect(policy.contains("script-src 'self'"))
                    #expect(!policy.contains("unsafe-inline"))
                    #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    #expect(response.headers[.init("Referrer-Policy")!] == "strict-origin-when-cross-origin")
                    #expect(response.headers[.init("X-Request-Id")!]?.isEmpty == false)
                }
            }
        }
    }
}
