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

@Suite("Registration (ID-1)")
struct RegistrationTests {
    static let account = DemoAccounts.accounts[0]

    static func form(
        username: String = "maria.lopez", fullName: String = "María López", address: String = "12 Harbour Street, Portview",
        mobile: String = account.mobile, email: String = "", accountNumber: String = account.number,
        password: String = "lamplight over the harbour"
    ) -> [(String, String)] {
        [
            ("username", username), ("full_name", fullName), ("address", address), ("mobile", mobile), ("email", email),
            ("account_number", accountNumber), ("password", password),
        ]
    }

    /// A fresh database with the demo accounts, and a browser on the whole application.
    func withSite(
        clock: MovableClock = MovableClock(), _ body: @escaping @Sendable (TestBrowser, Database) async throws -> Void
    ) async throws {
        try await withTestDatabase(clock: clock) { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            let services = try await TestApp.services(database: db)
            let app = try TestApp.application(services: services)
            try await app.test(.router) { client in try await body(TestBrowser(client), db) }
            await services.shutdown()
        }
    }

    func count(_ table: SQL, _ db: Database) async throws -> Int {
        try await db.query("SELECT count(*) AS n FROM \(table)").rows[0].decode("n")
    }

    @Test("a consumer registers against their account, gets a code by SMS, and is signed in on entering it")
    func happyPath() async throws {
        try await withSite { browser, db in
            try await browser.get("/register")
            let sessionBefore = browser.cookies[SessionMiddleware.cookieName]
            let submitted = try await browser.post("/register", Self.form(email: "Maria@Example.org"))
            #expect(submitted.status == .seeOther)
            #expect(submitted.headers[.location] == "/register/verify")

            let verify = try await browser.get("/register/verify")
            #expect(verify.text.contains("+44 ••• ••• 101"))
            let code = try #require(try await lastCode(sentTo: Self.account.mobile, in: db))

            let done = try await browser.post("/register/verify", [("code", code)])
            #expect(done.status == .seeOther)
            #expect(done.headers[.location] == "/account")
            #expect(browser.cookies[SessionMiddleware.cookieName] != sessionBefore)

            let home = try await browser.get("/account")
            #expect(home.status == .ok)
            #expect(home.text.contains("Welcome, María López"))
            #expect(home.text.contains(Self.account.number))
            #expect(home.text.contains("Sign out"))
            let user = try await db.query("SELECT status, mobile_verified_at IS NOT NULL AS verified, email FROM users").rows[0]
            #expect(try user.decode("status", as: String.self) == "active")
            #expect(try user.decode("verified", as: Bool.self))
            #expect(try user.decode("email", as: String.self) == "Maria@Example.org")
        }
    }

    @Test("a mobile that is not the one on file is refused without saying whose number is on file, and nothing is stored")
    func mobileMismatch() async throws {
        try await withSite { browser, db in
            try await browser.get("/register")
            let response = try await browser.post("/register", Self.form(mobile: "+447700900999"))
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("could not match this account number with this mobile number"))
            #expect(!response.text.contains("900101"))
            #expect(try await count("users", db) == 0)
            #expect(try await count("notifications", db) == 0)
        }
    }

    @Test("an unknown account number gets exactly the same answer as a wrong mobile")
    func unknownAccountLooksLikeMismatch() async throws {
        try await withSite { browser, _ in
            try await browser.get("/register")
            let mismatch = try await browser.post("/register", Self.form(mobile: "+447700900999"))
            let unknown = try await browser.post("/register", Self.form(accountNumber: "999999999"))
            #expect(mismatch.status == unknown.status)
            let message = "We could not match this account number with this mobile number"
            #expect(mismatch.text.contains(message) && unknown.text.contains(message))
        }
    }

    @Test("every wrong field gets its own message, what was typed is kept, and the password is never sent back")
    func fieldErrors() async throws {
        try await withSite { browser, db in
            try await browser.get("/register")
            let response = try await browser.post(
                "/register",
                Self.form(
                    username: "x", fullName: "   ", address: "abc", mobile: "07700 900101", email: "not-an-email",
                    accountNumber: "12AB", password: "password1"))
            #expect(response.status == .unprocessableContent)
            let html = response.text
            for message in [
                "Use 3 to 32 letters", "Enter your full name.", "Enter your postal address (5 to 300",
                "with its country code", "Enter an email address like", "An account number has 6 to 16 digits",
                "Use at least 10 characters",
            ] {
                #expect(html.contains(message), "missing: \(message)")
            }
            #expect(html.contains(#"value="07700 900101""#))
            #expect(html.contains(#"value="not-an-email""#))
            #expect(!html.contains("password1"))
            #expect(try await count("users", db) == 0)
        }
    }

    @Test("common passwords are refused at registration")
    func commonPassword() async throws {
        try await withSite { browser, _ in
            try await browser.get("/register")
            let response = try await browser.post("/register", Self.form(password: "qwertyuiop"))
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("one of the most common"))
        }
    }

    @Test("a username is taken whatever its case")
    func usernameTaken() async throws {
        try await withSite { browser, db in
            try await browser.get("/register")
            try await browser.post("/register", Self.form(username: "maria"))
            let other = DemoAccounts.accounts[1]
            let response = try await browser.post(
                "/register", Self.form(username: "MARIA", mobile: other.mobile, accountNumber: other.number))
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("This username is taken"))
            #expect(try await count("users", db) == 1)
        }
    }

    @Test("two registrations of one username at the same moment: one wins, the other is told it is taken")
    func usernameRace() async throws {
        try await withSite { browser, db in
            try await browser.get("/register")
            let accounts = Array(DemoAccounts.accounts.prefix(2))
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for account in accounts {
                    group.addTask {
                        try await browser.post(
                            "/register", Self.form(username: "same.name", mobile: account.mobile, accountNumber: account.number)
                        ).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.sorted { $0.code < $1.code } == [.seeOther, .unprocessableContent])
            #expect(try await count("users", db) == 1)
        }
    }

    @Test("an account that already has a login cannot be registered again")
    func oneLoginPerAccount() async throws {
        try await withSite { browser, db in
            try await browser.get("/register")
            try await browser.post("/register", Self.form())
            try await browser.post("/register/verify", [("code", try #require(try await lastCode(sentTo: Self.account.mobile, in: db)))])
            let second = TestBrowser(browser.client)
            try await second.get("/register")
            let response = try await second.post("/register", Self.form(username: "someone.else"))
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("already has an online login"))
        }
    }

    @Test("an unfinished registration older than 24 hours frees the username and the account")
    func pendingExpires() async throws {
        try await withSite { browser, db in
            try await browser.get("/register")
            try await browser.post("/register", Self.form(username: "slowpoke"))
            try await db.query("UPDATE users SET created_at = now() - interval '25 hours'")
            try await db.query("UPDATE one_time_codes SET created_at = now() - interval '25 hours', expires_at = now() - interval '24 hours'")
            let other = TestBrowser(browser.client)
            try await other.get("/register")
            let response = try await other.post("/register", Self.form(username: "slowpoke"))
            #expect(response.status == .seeOther)
            #expect(try await count("users", db) == 1)
        }
    }

    @Test("five wrong codes kill the code: even the right one no longer works")
    func wrongCodeFiveTimes() async throws {
        try await withSite { browser, db in
            try await browser.get("/register")
            try await browser.post("/register", Self.form())
            let code = try #require(try await lastCode(sentTo: Self.account.mobile, in: db))
            let wrong = code == "000000" ? "111111" : "000000"
            var last = ""
            for _ in 0..<5 {
                let response = try await browser.post("/register/verify", [("code", wrong)])
                #expect(response.status == .unprocessableContent)
                last = response.text
            }
            #expect(last.contains("Too many wrong tries"))
            let response = try await browser.post("/register/verify", [("code", code)])
            #expect(response.status == .unprocessableContent)
            #expect(try await db.query("SELECT status FROM users").rows[0].decode("status", as: String.self) == "pending")
        }
    }

    @Test("an expired code is refused")
    func expiredCode() async throws {
        let clock = MovableClock()
        try await withSite(clock: clock) { browser, db in
            try await browser.get("/register")
            try await browser.post("/register", Self.form())
            let code = try #require(try await lastCode(sentTo: Self.account.mobile, in: db))
            clock.advance(by: 5 * 60 + 1)
            let response = try await browser.post("/register/verify", [("code", code)])
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("That code has expired"))
        }
    }

    @Test("a new code can be asked for after 60 seconds, not before, and the old code then stops working")
    func resend() async throws {
        let clock = MovableClock()
        try await withSite(clock: clock) { browser, db in
            try await browser.get("/register")
            try await browser.post("/register", Self.form())
            let first = try #require(try await lastCode(sentTo: Self.account.mobile, in: db))
            let tooSoon = try await browser.post("/register/resend")
            #expect(tooSoon.status == .tooManyRequests)
            #expect(tooSoon.text.contains("You can ask for a new one in"))
            clock.advance(by: 61)
            let resent = try await browser.post("/register/resend")
            #expect(resent.status == .ok)
            #expect(resent.text.contains("A new code is on its way"))
            let second = try #require(try await lastCode(sentTo: Self.account.mobile, in: db))
            if first != second {
                let old = try await browser.post("/register/verify", [("code", first)])
                #expect(old.status == .unprocessableContent)
            }
            let ok = try await browser.post("/register/verify", [("code", second)])
            #expect(ok.status == .seeOther)
        }
    }

    @Test("markup typed into a field is stored as typed and shown escaped")
    func htmlInjection() async throws {
        try await withSite { browser, db in
            try await browser.get("/register")
            let name = "<script>alert('x')</script> O'Brien & Sons"
            try await browser.post("/register", Self.form(fullName: name))
            try await browser.post("/register/verify", [("code", try #require(try await lastCode(sentTo: Self.account.mobile, in: db)))])
            let home = try await browser.get("/account")
            #expect(!home.text.contains("<script>alert"))
            #expect(
                home.text.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; O&#39;Brien &amp; Sons")
                    || home.text.contains("&lt;script&gt;"))
            #expect(try await db.query("SELECT full_name FROM users").rows[0].decode("full_name", as: String.self) == name)
        }
    }

    @Test("over-long fields get messages, and a body that is not valid form encoding is a 400, never a 500")
    func badInput() async throws {
        try await withSite { browser, db in
            try await browser.get("/register")
            let long = String(repeating: "a", count: 5000)
            let response = try await browser.post("/register", Self.form(username: long, fullName: long, address: long, password: long))
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("Use at most 120 characters"))
            let broken = try await browser.postRaw("/register", body: Array("username=%E0%A4%A&full_name=%ZZ".utf8) + [0xff, 0xfe])
            #expect(broken.status == .badRequest)
            #expect(try await count("users", db) == 0)
        }
    }
}

@Suite("Username availability as people type (ID-1)")
struct UsernameAvailabilityTests {
    struct Answer: Decodable, Equatable {
        let available: Bool
        let message: String
    }

    @Test("the endpoint says whether a username is free, in any case, and explains a malformed one")
    func availability() async throws {
        try await withMember { browser, db in
            func ask(_ name: String) async throws -> Answer {
                let response = try await browser.get("/register/username?name=\(TestBrowser.encode(name))")
                #expect(response.headers[.contentType] == "application/json")
                return try JSONDecoder().decode(Answer.self, from: Data(response.text.utf8))
            }
            #expect(try await ask("MARIA.lopez") == Answer(available: false, message: "This username is taken. Choose another."))
            #expect(try await ask("someone.new").available)
            #expect(try await ask("x y").message.contains("Use 3 to 32"))
            // A registration left unfinished for more than a day no longer holds its name.
            try await db.query("UPDATE users SET status = 'pending', mobile_verified_at = NULL, created_at = now() - interval '2 days'")
            #expect(try await ask("maria.lopez").available)
        }
    }
}
