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

@Suite("Lockout and rate limits (ID-5, ID-9)")
struct LockoutTests {

    func failSignIn(_ browser: TestBrowser, times: Int) async throws {
        for _ in 0..<times {
            try await browser.get("/login")
            #expect(
                try await browser.post("/login", [("login", "maria.lopez"), ("password", "a wrong password here")]).status
                    == .unprocessableContent)
        }
    }

    @Test("five failed sign-ins lock the login: the right password is then refused, and the owner gets an SMS with an unlock code")
    func lockAfterFiveFailures() async throws {
        try await withMember { browser, db in
            try await failSignIn(browser, times: 4)
            try await browser.get("/login")
            #expect(try await browser.post("/login", [("login", "maria.lopez"), ("password", Member.password)]).status == .seeOther)
            try await browser.post("/logout")
            // Success reset the count: four more failures do not lock, the fifth does.
            try await failSignIn(browser, times: 5)
            try await browser.get("/login")
            let locked = try await browser.post("/login", [("login", "maria.lopez"), ("password", Member.password)])
            #expect(locked.status == .unprocessableContent)
            #expect(locked.text.contains("This login is locked for 15 more minutes"))
            let sms: String = try await db.query(
                "SELECT body FROM notifications WHERE purpose = 'unlock_code' ORDER BY id DESC LIMIT 1"
            ).rows[0].decode("body")
            #expect(sms.contains("locked for 15 minutes after 5 failed sign-in attempts"))
        }
    }

    @Test("a wrong password on a locked login gets the ordinary answer, so a lock reveals nothing to a guesser")
    func lockNotRevealedWithoutPassword() async throws {
        try await withMember { browser, _ in
            try await failSignIn(browser, times: 5)
            try await browser.get("/login")
            let response = try await browser.post("/login", [("login", "maria.lopez"), ("password", "yet another guess")])
            #expect(response.text.contains("The username or password is not right."))
            #expect(!response.text.contains("locked"))
        }
    }

    @Test("the owner unlocks at once with the texted code and can sign in again")
    func unlockWithCode() async throws {
        try await withMember { browser, db in
            try await failSignIn(browser, times: 5)
            let code = try #require(try await lastCode(sentTo: Member.mobile, in: db))
            try await browser.get("/unlock")
            let wrong = try await browser.post("/unlock", [("login", "maria.lopez"), ("code", code == "000000" ? "111111" : "000000")])
            #expect(wrong.status == .unprocessableContent)
            let unlocked = try await browser.post("/unlock", [("login", "maria.lopez"), ("code", code)])
            #expect(unlocked.status == .ok)
            #expect(unlocked.text.contains("Your login is unlocked"))
            #expect(try await browser.post("/login", [("login", "maria.lopez"), ("password", Member.password)]).status == .seeOther)
        }
    }

    @Test("asking for an unlock code says the same for unknown, unlocked and locked logins")
    func unlockCodeRequestRevealsNothing() async throws {
        try await withMember { browser, db in
            try await browser.get("/unlock")
            let unknown = try await browser.post("/unlock/send", [("login", "nobody.at.all")])
            try await db.query("UPDATE one_time_codes SET created_at = created_at - interval '2 minutes'")
            let notLocked = try await browser.post("/unlock/send", [("login", "maria.lopez")])
            try await failSignIn(browser, times: 5)
            try await db.query("UPDATE one_time_codes SET created_at = created_at - interval '2 minutes'")
            try await browser.get("/unlock")
            let locked = try await browser.post("/unlock/send", [("login", "maria.lopez")])
            let notice = "If this login is locked, we have texted an unlock code to its mobile."
            for response in [unknown, notLocked, locked] {
                #expect(response.status == .ok)
                #expect(response.text.contains(notice))
            }
        }
    }

    @Test("a lock ends by itself after the configured time")
    func lockExpires() async throws {
        let clock = MovableClock()
        try await withMember(clock: clock) { browser, db in
            try await failSignIn(browser, times: 5)
            clock.advance(by: 14 * 60)
            try await browser.get("/login")
            #expect(try await browser.post("/login", [("login", "maria.lopez"), ("password", Member.password)]).status == .unprocessableContent)
            clock.advance(by: 61)
            try await browser.get("/login")
            #expect(try await browser.post("/login", [("login", "maria.lopez"), ("password", Member.password)]).status == .seeOther)
        }
    }

    @Test("many failed sign-ins from one address are stopped with a 429 page that says when to retry")
    func failuresThrottledPerAddress() async throws {
        var config = TestApp.config()
        config.trustProxy = true
        try await withMember(config: config) { browser, db in
            // Different logins each time, so no single login locks: only the address limit applies.
            var last: TestResponse?
            for n in 0...RateLimiter.Limit.loginFailuresPerAddress.maximum {
                try await browser.get("/login")
                var headers = HTTPFields()
                headers[.init("X-Forwarded-For")!] = "203.0.113.7"
                last = try await browser.post("/login", [("login", "guess\(n)"), ("password", "a wrong password here")], headers: headers)
            }
            #expect(last?.status == .tooManyRequests)
            #expect(last?.headers[.retryAfter].flatMap(Int.init).map { $0 > 0 && $0 <= 900 } == true)
            #expect(last?.text.contains("Too many attempts") == true)
            // Another address is not affected.
            try await browser.get("/login")
            var other = HTTPFields()
            other[.init("X-Forwarded-For")!] = "198.51.100.9"
            #expect(try await browser.post("/login", [("login", "maria.lopez"), ("password", Member.password)], headers: other).status == .seeOther)
        }
    }

    @Test("the rate limiter counts in windows shared through the database")
    func limiterWindows() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let limiter = RateLimiter(database: db)
            let limit = RateLimiter.Limit(name: "test", maximum: 3, windowSeconds: 3600)
            for _ in 0..<3 { try await limiter.hit(limit, key: "a") }
            let refused = await #expect(throws: PageError.self) { try await limiter.hit(limit, key: "a") }
            #expect(refused?.status == .tooManyRequests)
            try await limiter.hit(limit, key: "b")
            await #expect(throws: PageError.self) { try await limiter.check(limit, key: "a") }
            // A second limiter (another server) sees the same count.
            await #expect(throws: PageError.self) { try await RateLimiter(database: db).check(limit, key: "a") }
        }
    }
}
