import Hummingbird
import HummingbirdTesting
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("CSRF protection (ID-9)")
struct CSRFTests {
    static let cookie = SessionMiddleware.cookieName

    /// `/form` stands for a page of someone with a session; `/visitor-form` for a page shown to a
    /// visitor without one, whose token travels in a signed cookie.
    static func routes(_ router: Router<AppRequestContext>) {
        router.get("/form") { _, context in try await context.session!.currentOrNew().csrfToken }
        router.get("/visitor-form") { _, context in try await context.session!.csrfToken() }
        router.post("/form") { _, _ in "handler ran" }
    }

    let formType: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test("a POST without a token gets 403 with a page that says why, and the handler never runs")
    func missingToken() async throws {
        try await withTestDatabase { db in
            let app = TestApp.application(services: try await TestApp.services(database: db), routes: Self.routes)
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/form", method: .post, headers: formType, body: ByteBuffer(string: "name=x"))
                #expect(response.status == .forbidden)
                #expect(response.text.contains("security token"))
                #expect(!response.text.contains("handler ran"))
            }
        }
    }

    @Test("a POST with its own session's token is accepted, by form field or by header")
    func validToken() async throws {
        try await withTestDatabase { db in
            let app = TestApp.application(services: try await TestApp.services(database: db), routes: Self.routes)
            try await app.test(.router) { client in
                let page = try await client.execute(uri: "/form", method: .get)
                let cookie = try #require(page.cookieValue(named: Self.cookie))
                var headers = formType
                headers[.cookie] = "\(Self.cookie)=\(cookie)"
                let byField = try await client.execute(
                    uri: "/form", method: .post, headers: headers, body: ByteBuffer(string: "name=x&_csrf=\(page.text)"))
                #expect(byField.status == .ok)
                #expect(byField.text == "handler ran")
                headers[.init("X-CSRF-Token")!] = page.text
                let byHeader = try await client.execute(uri: "/form", method: .post, headers: headers, body: ByteBuffer(string: "name=x"))
                #expect(byHeader.status == .ok)
            }
        }
    }

    @Test("a token from another browser's session is refused")
    func tokenFromAnotherSession() async throws {
        try await withTestDatabase { db in
            let app = TestApp.application(services: try await TestApp.services(database: db), routes: Self.routes)
            try await app.test(.router) { client in
                let victim = try await client.execute(uri: "/form", method: .get)
                let attacker = try await client.execute(uri: "/form", method: .get)
                var headers = formType
                headers[.cookie] = "\(Self.cookie)=\(try #require(victim.cookieValue(named: Self.cookie)))"
                let response = try await client.execute(
                    uri: "/form", method: .post, headers: headers, body: ByteBuffer(string: "_csrf=\(attacker.text)"))
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test("a visitor's token is accepted only with the signed cookie it came with")
    func visitorToken() async throws {
        try await withTestDatabase { db in
            let app = TestApp.application(services: try await TestApp.services(database: db), routes: Self.routes)
            try await app.test(.router) { client in
                let victim = try await client.execute(uri: "/visitor-form", method: .get)
                let attacker = try await client.execute(uri: "/visitor-form", method: .get)
                let name = SessionMiddleware.formCookieName
                var headers = formType
                headers[.cookie] = "\(name)=\(try #require(victim.cookieValue(named: name)))"
                let own = try await client.execute(uri: "/form", method: .post, headers: headers, body: ByteBuffer(string: "_csrf=\(victim.text)"))
                #expect(own.status == .ok)
                let foreign = try await client.execute(
                    uri: "/form", method: .post, headers: headers, body: ByteBuffer(string: "_csrf=\(attacker.text)"))
                #expect(foreign.status == .forbidden)
            }
            #expect(try await db.query("SELECT * FROM sessions").rows.isEmpty)
        }
    }

    @Test("a token without any session is refused")
    func tokenWithoutSession() async throws {
        try await withTestDatabase { db in
            let app = TestApp.application(services: try await TestApp.services(database: db), routes: Self.routes)
            try await app.test(.router) { client in
                let page = try await client.execute(uri: "/form", method: .get)
                let response = try await client.execute(
                    uri: "/form", method: .post, headers: formType, body: ByteBuffer(string: "_csrf=\(page.text)"))
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test("a form field is read with URL decoding, and a mangled body is refused, not a crash")
    func formValueParsing() {
        #expect(CSRFMiddleware.formValue(named: "_csrf", in: "a=1&_csrf=abc%2Ddef&b=2") == "abc-def")
        #expect(CSRFMiddleware.formValue(named: "_csrf", in: "a=1&%5Fcsrf=abc") == "abc")
        #expect(CSRFMiddleware.formValue(named: "_csrf", in: "_csrf") == nil)
        #expect(CSRFMiddleware.formValue(named: "_csrf", in: "_csrf=%E0%A4%A") == nil)
    }
}
