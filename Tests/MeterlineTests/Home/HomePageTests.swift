import Hummingbird
import HummingbirdTesting
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("Home page")
struct HomePageTests {
    @Test("the home page says what a customer can do and links to sign in and register")
    func homePage() async throws {
        try await withTestDatabase { db in
            let app = try TestApp.application(services: try await TestApp.services(database: db))
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/", method: .get)
                #expect(response.status == .ok)
                let html = response.text
                #expect(html.contains("<title>Your electricity account, online · Meterline</title>"))
                #expect(html.contains(#"href="/login""#))
                #expect(html.contains(#"href="/register""#))
                #expect(html.contains("View and pay bills"))
                #expect(html.contains(#"<link rel="stylesheet" href="/css/site.css?v="#))
                #expect(!html.contains("<script"))
            }
        }
    }

    @Test("the stylesheet is served from memory with an ETag; its fingerprinted URL is cached for a year; unchanged is 304")
    func stylesheet() async throws {
        try await withTestDatabase { db in
            let services = try await TestApp.services(database: db)
            let app = try TestApp.application(services: services)
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/css/site.css", method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/css") == true)
                #expect(response.headers[.cacheControl]?.contains("max-age=3600") == true)
                #expect(response.text == (try String(contentsOfFile: Checkout.publicFiles + "/css/site.css", encoding: .utf8)))
                let etag = try #require(response.headers[.eTag])
                let pinned = try await client.execute(uri: services.staticFiles.url(of: "/css/site.css"), method: .get)
                #expect(pinned.headers[.cacheControl] == "public, max-age=31536000, immutable")
                let again = try await client.execute(uri: "/css/site.css", method: .get, headers: [.ifNoneMatch: etag])
                #expect(again.status == .notModified)
                #expect(again.body.readableBytes == 0)
            }
        }
    }
}
