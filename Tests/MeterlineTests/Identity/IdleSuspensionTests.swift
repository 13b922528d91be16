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

@Suite("Idle suspension and reactivation (ID-5)")
struct IdleSuspensionTests {
    @Test("a login unused for 180 days is suspended at its next sign-in, and said so only to the right password")
    func idleLoginSuspended() async throws {
        let clock = MovableClock()
        try await withMember(clock: clock) { browser, db in
            clock.advance(by: 181 * 86_400)
            try await browser.get("/login")
            let wrong = try await browser.post("/login", [("login", Member.username), ("password", "a wrong password here")])
            #expect(wrong.text.contains("The username or password is not right."))
            let right = try await browser.post("/login", [("login", Member.username), ("password", Member.password)])
            #expect(right.status == .unprocessableContent)
            #expect(right.text.contains("not used for a long time"))
            #expect(right.text.contains(#"href="/reactivate""#))
            let row = try await db.query("SELECT status, suspended_reason FROM users").rows[0]
            #expect(try row.decode("status", as: String.self) == "suspended")
            #expect(try row.decode("suspended_reason", as: String.self) == "idle")
        }
    }

    @Test("a login used within the period is not suspended")
    func recentLoginNotSuspended() async throws {
        let clock = MovableClock()
        try await withMember(clock: clock) { browser, db in
            clock.advance(by: 179 * 86_400)
            try await browser.get("/login")
            #expect(try await browser.post("/login", [("login", Member.username), ("password", Member.password)]).status == .seeOther)
        }
    }

    @Test("the owner reactivates an idle login with a texted code and is signed in")
    func reactivateWithCode() async throws {
        try await withMember { browser, db in
            try await db.query("UPDATE users SET status = 'suspended', suspended_reason = 'idle'")
            try await browser.get("/reactivate")
            let sent = try await browser.post("/reactivate/send", [("login", Member.username)])
            #expect(sent.text.contains("If this login exists, we have texted a code"))
            let code = try #require(try await lastCode(sentTo: Member.mobile, in: db))
            let wrong = try await browser.post("/reactivate", [("login", Member.username), ("code", code == "000000" ? "111111" : "000000")])
            #expect(wrong.status == .unprocessableContent)
            let done = try await browser.post("/reactivate", [("login", Member.username), ("code", code)])
            #expect(done.headers[.location] == "/account")
            #expect(try await browser.get("/account").status == .ok)
            #expect(try await db.query("SELECT status FROM users").rows[0].decode("status", as: String.self) == "active")
        }
    }

    @Test("a login suspended by staff cannot be reactivated by code")
    func administrativeSuspensionStays() async throws {
        try await withMember { browser, db in
            try await db.query("UPDATE users SET status = 'suspended', suspended_reason = 'administrative'")
            let before = try await db.query("SELECT count(*) AS n FROM notifications").rows[0].decode("n", as: Int.self)
            try await browser.get("/reactivate")
            try await browser.post("/reactivate/send", [("login", Member.username)])
            #expect(try await db.query("SELECT count(*) AS n FROM notifications").rows[0].decode("n", as: Int.self) == before)
            try await browser.get("/login")
            let response = try await browser.post("/login", [("login", Member.username), ("password", Member.password)])
            #expect(response.text.contains("Call us to have it reopened"))
        }
    }

    @Test("a suspended login must say why: the database refuses a suspension without a reason")
    func suspensionNeedsReason() async throws {
        try await withMember { _, db in
            let error = await #expect(throws: DatabaseError.self) { try await db.query("UPDATE users SET status = 'suspended'") }
            #expect(error?.isCheckViolation == true)
        }
    }
}
