import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("Sessions (ID-8)")
struct SessionTests {
    static let cookie = SessionMiddleware.cookieName

    /// Routes standing in for pages that need a session (a registration waiting for its code).
    static func routes(_ router: Router<AppRequestContext>) {
        router.get("/form") { _, context in try await context.session!.currentOrNew().csrfToken }
        router.post("/sign-in") { _, context in
            try await context.session!.rotate()
            return "rotated"
        }
        router.post("/sign-out") { _, context in
            try await context.session!.end()
            return "ended"
        }
    }

    func form(_ token: String) -> ByteBuffer { ByteBuffer(string: "_csrf=\(token)") }
    func headers(cookie: String) -> HTTPFields {
        [.cookie: "\(Self.cookie)=\(cookie)", .contentType: "application/x-www-form-urlencoded"]
    }

    @Test("a page without forms starts no session and sets no cookie")
    func noSessionWithoutForms() async throws {
        try await withTestDatabase { db in
            let app = try TestApp.application(services: try await TestApp.services(database: db))
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/", method: .get)
                #expect(response.headers[.setCookie] == nil)
            }
            #expect(try await db.query("SELECT * FROM sessions").rows.isEmpty)
        }
    }

    @Test("the sign-in page writes nothing to the database; its form works with the signed cookie, a forged one does not")
    func signInPageWritesNothing() async throws {
        try await withTestDatabase { db in
            let app = try TestApp.application(services: try await TestApp.services(database: db))
            try await app.test(.router) { client in
                let browser = TestBrowser(client)
                let page = try await browser.get("/login")
                #expect(page.setCookie(named: Self.cookie) == nil)
                let formCookie = try #require(page.setCookie(named: SessionMiddleware.formCookieName))
                #expect(formCookie.contains("HttpOnly") && formCookie.contains("SameSite=Lax"))
                #expect(try await db.query("SELECT * FROM sessions").rows.isEmpty)
                let tried = try await browser.post("/login", [("login", "nobody.here"), ("password", "not the password at all")])
                #expect(tried.status == .unprocessableContent)

                let token = try #require(browser.csrfToken)
                let forged = try await client.execute(
                    uri: "/login", method: .post,
                    headers: [.cookie: "\(SessionMiddleware.formCookieName)=\(token).forged", .contentType: "application/x-www-form-urlencoded"],
                    body: form(token))
                #expect(forged.status == .forbidden)
            }
        }
    }

    @Test("the session cookie is HttpOnly, SameSite=Lax, for the whole site, and not Secure over plain HTTP")
    func cookieFlags() async throws {
        try await withTestDatabase { db in
            let app = TestApp.application(services: try await TestApp.services(database: db), routes: Self.routes)
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/form", method: .get)
                let setCookie = try #require(response.setCookie(named: Self.cookie))
                #expect(setCookie.contains("HttpOnly"))
                #expect(setCookie.contains("SameSite=Lax"))
                #expect(setCookie.contains("Path=/"))
                #expect(!setCookie.contains("Secure"))
            }
        }
    }

    @Test("behind TLS the session cookie is Secure")
    func secureBehindTLS() async throws {
        try await withTestDatabase { db in
            let services = try await TestApp.services(database: db, publicURL: "https://portal.example")
            let app = TestApp.application(services: services, routes: Self.routes)
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/form", method: .get)
                #expect(response.setCookie(named: Self.cookie)?.contains("Secure") == true)
            }
        }
        try await withTestDatabase { db in
            let app = TestApp.application(services: try await TestApp.services(database: db), routes: Self.routes)
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/form", method: .get, headers: [.init("X-Forwarded-Proto")!: "https"])
                #expect(response.setCookie(named: Self.cookie)?.contains("Secure") == true)
            }
        }
    }

    @Test("the database stores only a hash of the session id, never the id itself")
    func onlyHashStored() async throws {
        try await withTestDatabase { db in
            let app = TestApp.application(services: try await TestApp.services(database: db), routes: Self.routes)
            let token = try await app.test(.router) { client in
                try #require(try await client.execute(uri: "/form", method: .get).cookieValue(named: Self.cookie))
            }
            let stored = try await db.query("SELECT id_hash FROM sessions").rows.map { try $0.decode("id_hash", as: ByteA.self) }
            #expect(stored == [ByteA(Digest.sha256(try #require(Base64URL.decode(token))))])
            let asText = try await db.query("SELECT count(*) AS n FROM sessions WHERE encode(id_hash, 'escape') LIKE '%' || $1 || '%'", [token])
            #expect(try asText.rows[0].decode("n", as: Int.self) == 0)
        }
    }

    @Test("the same browser keeps its session and its CSRF token across requests")
    func sessionPersists() async throws {
        try await withTestDatabase { db in
            let app = TestApp.application(services: try await TestApp.services(database: db), routes: Self.routes)
            try await app.test(.router) { client in
                let first = try await client.execute(uri: "/form", method: .get)
                let cookie = try #require(first.cookieValue(named: Self.cookie))
                let second = try await client.execute(uri: "/form", method: .get, headers: [.cookie: "\(Self.cookie)=\(cookie)"])
                #expect(second.text == first.text)
                #expect(second.headers[.setCookie] == nil)
            }
            #expect(try await db.query("SELECT * FROM sessions").rows.count == 1)
        }
    }

    @Test("signing in rotates the session id: the old cookie no longer works")
    func rotationInvalidatesOldId() async throws {
        try await withTestDatabase { db in
            let app = TestApp.application(services: try await TestApp.services(database: db), routes: Self.routes)
            try await app.test(.router) { client in
                let first = try await client.execute(uri: "/form", method: .get)
                let oldCookie = try #require(first.cookieValue(named: Self.cookie))
                let rotated = try await client.execute(
                    uri: "/sign-in", method: .post, headers: headers(cookie: oldCookie), body: form(first.text))
                #expect(rotated.status == .ok)
                let newCookie = try #require(rotated.cookieValue(named: Self.cookie))
                #expect(newCookie != oldCookie)
                // The old id now starts a brand-new session instead of finding the old one.
                let withOld = try await client.execute(uri: "/form", method: .get, headers: [.cookie: "\(Self.cookie)=\(oldCookie)"])
                #expect(withOld.setCookie(named: Self.cookie) != nil)
                let withNew = try await client.execute(uri: "/form", method: .get, headers: [.cookie: "\(Self.cookie)=\(newCookie)"])
                #expect(withNew.headers[.setCookie] == nil)
            }
        }
    }

    @Test("signing out deletes the session and clears the cookie")
    func endingSession() async throws {
        try await withTestDatabase { db in
            let app = TestApp.application(services: try await TestApp.services(database: db), routes: Self.routes)
            try await app.test(.router) { client in
                let first = try await client.execute(uri: "/form", method: .get)
                let cookie = try #require(first.cookieValue(named: Self.cookie))
                let ended = try await client.execute(uri: "/sign-out", method: .post, headers: headers(cookie: cookie), body: form(first.text))
                #expect(ended.status == .ok)
                #expect(ended.setCookie(named: Self.cookie)?.contains("Max-Age=0") == true)
            }
            #expect(try await db.query("SELECT * FROM sessions").rows.isEmpty)
        }
    }

    @Test("an expired session is not honoured, and expired sessions are purged")
    func expiredSession() async throws {
        try await withTestDatabase { db in
            let store = SessionStore(database: db, lifetimeSeconds: 3600)
            let (token, _) = try await store.create()
            #expect(try await store.load(token: token) != nil)
            try await db.query("UPDATE sessions SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second'")
            #expect(try await store.load(token: token) == nil)
            #expect(try await store.purgeExpired() == 1)
        }
    }

    @Test("malformed or forged cookie values are treated as no session, never as an error")
    func forgedCookies() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let store = SessionStore(database: db, lifetimeSeconds: 3600)
            for forged in ["", "abc", "'; DROP TABLE sessions; --", String(repeating: "A", count: 43), "%%%%"] {
                #expect(try await store.load(token: forged) == nil)
            }
        }
    }
}
