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

@Suite("Sign-in (ID-2)")
struct SignInTests {

    @Test("signing in with username or email, in any case, leads to the account page with a new session id")
    func signIn() async throws {
        try await withMember { browser, _ in
            for login in ["maria.lopez", "MARIA.LOPEZ", "Maria@Example.org"] {
                try await browser.get("/login")
                let before = browser.cookies[SessionMiddleware.cookieName]
                let response = try await browser.post("/login", [("login", login), ("password", Member.password)])
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/account")
                #expect(browser.cookies[SessionMiddleware.cookieName] != before)
                #expect(try await browser.get("/account").status == .ok)
                try await browser.post("/logout")
            }
        }
    }

    @Test("a wrong password and an unknown username get the same answer")
    func noEnumeration() async throws {
        try await withMember { browser, _ in
            try await browser.get("/login")
            let wrong = try await browser.post("/login", [("login", "maria.lopez"), ("password", "not the password at all")])
            let unknown = try await browser.post("/login", [("login", "nobody.here"), ("password", "not the password at all")])
            #expect(wrong.status == .unprocessableContent)
            #expect(unknown.status == wrong.status)
            let scrub: (String) -> String = { $0.replacing(/value="[^"]*"/, with: "") }
            #expect(scrub(wrong.text) == scrub(unknown.text))
            #expect(wrong.text.contains("The username or password is not right."))
        }
    }

    @Test("signing out ends the session: the account page then sends you to sign in")
    func signOut() async throws {
        try await withMember { browser, db in
            try await browser.get("/login")
            try await browser.post("/login", [("login", "maria.lopez"), ("password", Member.password)])
            #expect(try await browser.get("/account").status == .ok)
            let out = try await browser.post("/logout")
            #expect(out.status == .seeOther)
            let after = try await browser.get("/account")
            #expect(after.status == .seeOther)
            #expect(after.headers[.location] == "/login")
            #expect(try await db.query("SELECT count(*) AS n FROM sessions WHERE user_id IS NOT NULL").rows[0].decode("n", as: Int.self) == 0)
        }
    }

    @Test("signing out is a POST with the CSRF token; a GET or a forged POST does nothing")
    func signOutNeedsCSRF() async throws {
        try await withMember { browser, _ in
            try await browser.get("/login")
            try await browser.post("/login", [("login", "maria.lopez"), ("password", Member.password)])
            #expect(try await browser.get("/logout").status == .notFound)
            var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            headers[.cookie] = "\(SessionMiddleware.cookieName)=\(browser.cookies[SessionMiddleware.cookieName]!)"
            let forged = try await browser.client.execute(uri: "/logout", method: .post, headers: headers, body: ByteBuffer(string: "x=1"))
            #expect(forged.status == .forbidden)
            #expect(try await browser.get("/account").status == .ok)
        }
    }

    @Test("a registration whose mobile is not verified yet is sent to finish verification")
    func unverifiedGoesToVerification() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            let services = try await TestApp.services(database: db)
            let app = try TestApp.application(services: services)
            try await app.test(.router) { client in
                let first = TestBrowser(client)
                try await first.get("/register")
                try await first.post("/register", RegistrationTests.form())
                let later = TestBrowser(client)
                try await later.get("/login")
                let response = try await later.post("/login", [("login", "maria.lopez"), ("password", Member.password)])
                #expect(response.headers[.location] == "/register/verify")
                #expect(try await later.get("/account").status == .seeOther)
                #expect(try await later.get("/register/verify").text.contains("+44 ••• ••• 101"))
            }
            await services.shutdown()
        }
    }

    @Test("the login page remembers the last username on this browser")
    func remembersUsername() async throws {
        try await withMember { browser, _ in
            try await browser.get("/login")
            try await browser.post("/login", [("login", "maria.lopez"), ("password", Member.password)])
            try await browser.post("/logout")
            #expect(try await browser.get("/login").text.contains(#"value="maria.lopez""#))
        }
    }

    @Test("a password hash made with old parameters is replaced at the next sign-in")
    func rehashOnLogin() async throws {
        try await withMember { browser, db in
            let old = try await PasswordHasher(parameters: .init(memoryKiB: 512, iterations: 1, parallelism: 1), threads: 1).hash(Member.password)
            try await db.query("UPDATE users SET password_hash = $1", [old])
            try await browser.get("/login")
            #expect(try await browser.post("/login", [("login", "maria.lopez"), ("password", Member.password)]).status == .seeOther)
            let stored: String = try await db.query("SELECT password_hash FROM users").rows[0].decode("password_hash")
            #expect(stored.hasPrefix("$argon2id$v=19$m=1024,t=1,p=1$"))
        }
    }
}
