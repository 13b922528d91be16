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

/// The holes the route groups close: who is asking is checked at every request, not at sign-in.
@Suite struct AudienceGateTests {
    func signIn(_ browser: TestBrowser) async throws {
        try await browser.get("/login")
        #expect(try await browser.post("/login", [("login", Member.username), ("password", Member.password)]).headers[.location] == "/account")
    }

    @Test("a consumer suspended while signed in loses access at the next request")
    func suspendedWhileSignedIn() async throws {
        try await withMember { browser, db in
            try await signIn(browser)
            #expect(try await browser.get("/account/settings").status == .ok)
            try await db.query("UPDATE users SET status = 'suspended', suspended_reason = 'administrative' WHERE username = $1", [Member.username])
            let refused = try await browser.get("/account/settings")
            #expect(refused.status == .seeOther)
            #expect(refused.headers[.location] == "/login")
            // The session is over: lifting the suspension does not bring it back.
            try await db.query("UPDATE users SET status = 'active', suspended_reason = NULL WHERE username = $1", [Member.username])
            #expect(try await browser.get("/account").headers[.location] == "/login")
        }
    }

    @Test("a consumer whose login is locked while signed in loses access at the next request")
    func lockedWhileSignedIn() async throws {
        try await withMember { browser, db in
            try await signIn(browser)
            try await db.query("UPDATE users SET locked_until = now() + interval '15 minutes' WHERE username = $1", [Member.username])
            #expect(try await browser.get("/account").headers[.location] == "/login")
        }
    }

    @Test("a consumer whose utility account is closed no longer sees its premise")
    func closedAccountHidesPremise() async throws {
        try await withMember { browser, db in
            try await signIn(browser)
            let premise = "/account/premises/\(DemoAccounts.accounts[0].number)"
            #expect(try await browser.get(premise).status == .ok)
            try await db.query("UPDATE accounts SET status = 'closed' WHERE account_number = $1", [DemoAccounts.accounts[0].number])
            #expect(try await browser.get(premise).status == .notFound)
            let home = try await browser.get("/account")
            #expect(home.status == .ok)
            #expect(!home.text.contains(premise))
        }
    }

    @Test("a staff password alone opens no consumer page and cannot sign the real staff member out")
    func passwordAloneCannotSignStaffOut() async throws {
        try await withStaff([.admin], username: "ada.admin") { fullySignedIn, db, _ in
            let attacker = TestBrowser(fullySignedIn.client)
            try await attacker.get("/login")
            #expect(try await attacker.post("/login", [("login", "ada.admin"), ("password", "a staff member's own sentence")]).status == .seeOther)
            #expect(try await attacker.get("/staff").headers[.location] == "/staff/verify")
            let settings = try await attacker.get("/account/settings")
            #expect(settings.status == .seeOther)
            #expect(!settings.text.contains("Sign out everywhere"))
            try await attacker.get("/staff/verify")
            let endAll = try await attacker.post("/account/sessions/end-all")
            #expect(endAll.headers[.location] == "/staff")
            #expect(try await fullySignedIn.get("/staff").status == .ok, "the real staff member is still signed in")
        }
    }

    @Test("an error page shown to a signed-in person keeps their name and sign-out")
    func errorPageKeepsChrome() async throws {
        try await withMember { browser, _ in
            try await signIn(browser)
            let missing = try await browser.get("/account/premises/999999999")
            #expect(missing.status == .notFound)
            #expect(missing.text.contains("Sign out"))
            #expect(!missing.text.contains(">Register<"))
        }
    }

    @Test("a staff page links to the staff home, not to the consumer account")
    func staffChromeLinksStaffHome() async throws {
        try await withStaff([.meterReader]) { browser, _, _ in
            let page = try await browser.get("/field")
            #expect(page.text.contains("Staff home"))
            #expect(!page.text.contains("Your account"))
            #expect(page.headers[.init("Permissions-Policy")!]?.contains("camera=()") == true)
        }
    }
}
