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

/// The path and query of the newest link emailed to `email`, as the dev inbox shows it.
func lastLink(sentTo email: String, in db: Database) async throws -> String? {
    let body: String? = try await db.query(
        "SELECT body FROM notifications WHERE channel = 'email' AND recipient = $1 ORDER BY id DESC LIMIT 1", [email]
    ).rows.first?.decode("body")
    return body?.firstMatch(of: /https?:\/\/[^\/\s]+(\/[^\s]+)/).map { String($0.1) }
}

/// Opens the verification link emailed to `Member` and confirms it.
func verifyMemberEmail(_ browser: TestBrowser, _ db: Database) async throws {
    let link = try #require(try await lastLink(sentTo: Member.email, in: db))
    #expect(try await browser.get(link).status == .ok)
    #expect(try await browser.post("/email/verify", [("token", token(of: link))]).text.contains("your email is confirmed"))
}

func token(of link: String) -> String {
    String(link.split(separator: "token=").last ?? "")
}

private func emailVerified(_ db: Database) async throws -> Bool {
    try await db.query("SELECT email_verified_at IS NOT NULL AS v FROM users WHERE username = $1", [Member.username]).rows[0].decode("v")
}

private func notificationCount(_ db: Database) async throws -> Int {
    try await db.query("SELECT count(*) AS n FROM notifications").rows[0].decode("n")
}

@Suite("Email: verification, sign-in links, recovery (ID-1, ID-3, ID-6)")
struct EmailLinkTests {

    @Test("registering with an email sends a verification link; opening it only asks, confirming verifies")
    func verifyEmailByLink() async throws {
        try await withMember { browser, db in
            let link = try #require(try await lastLink(sentTo: Member.email, in: db))
            #expect(link.hasPrefix("/email/verify?token="))
            let opened = try await browser.get(link)
            #expect(opened.status == .ok)
            #expect(opened.text.contains("Confirm this is my email"))
            #expect(try await emailVerified(db) == false, "a GET must not change anything")
            let confirmed = try await browser.post("/email/verify", [("token", token(of: link))])
            #expect(confirmed.status == .ok)
            #expect(try await emailVerified(db))
            // The link works once.
            try await browser.get("/login/code")
            #expect(try await browser.post("/email/verify", [("token", token(of: link))]).status == .gone)
            #expect(try await browser.get(link).status == .gone)
        }
    }

    @Test("settings show an unverified email and send a new link, no sooner than a minute after the last")
    func resendVerificationFromSettings() async throws {
        try await withMember { browser, db in
            try await browser.get("/login")
            try await browser.post("/login", [("login", Member.username), ("password", Member.password)])
            let settings = try await browser.get("/account/settings")
            #expect(settings.text.contains("Not verified"))
            try await db.query("UPDATE email_links SET created_at = created_at - interval '2 minutes'")
            let sent = try await browser.post("/account/email/verify")
            #expect(sent.status == .ok)
            #expect(sent.text.contains("We have emailed you a link"))
            let again = try await browser.post("/account/email/verify")
            #expect(again.status == .tooManyRequests)
            #expect(again.text.contains("You can ask for a new one in"))
            // Only the newest link counts.
            try await verifyMemberEmail(browser, db)
            #expect(try await browser.get("/account/settings").text.contains("Verified"))
        }
    }

    @Test("a verified email gets a sign-in link that signs in once")
    func signInWithEmailLink() async throws {
        try await withMember { browser, db in
            try await verifyMemberEmail(browser, db)
            try await browser.get("/login/code")
            let asked = try await browser.post("/login/link/send", [("login", Member.username)])
            #expect(asked.text.contains("we have emailed a sign-in link"))
            let link = try #require(try await lastLink(sentTo: Member.email, in: db))
            #expect(link.hasPrefix("/login/link?token="))
            #expect(try await browser.get(link).text.contains("Sign in to Meterline"))
            #expect(try await browser.get("/account").status == .seeOther, "opening the link alone does not sign in")
            try await browser.get(link)
            let signedIn = try await browser.post("/login/link", [("token", token(of: link))])
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/account")
            #expect(try await browser.get("/account").text.contains("Welcome, María López"))
            let other = TestBrowser(browser.client)
            try await other.get("/login/code")
            #expect(try await other.post("/login/link", [("token", token(of: link))]).status == .gone)
        }
    }

    @Test("an unverified or unknown email gets no sign-in link, and the answer looks the same")
    func noLinkForUnverifiedEmail() async throws {
        try await withMember { browser, db in
            let before = try await notificationCount(db)
            try await browser.get("/login/code")
            let unverified = try await browser.post("/login/link/send", [("login", Member.email)])
            let unknown = try await browser.post("/login/link/send", [("login", "nobody@example.org")])
            #expect(unverified.status == .ok && unknown.status == .ok)
            #expect(unverified.text.contains("If this login exists and has a verified email"))
            #expect(unknown.text.contains("If this login exists and has a verified email"))
            #expect(try await notificationCount(db) == before)
        }
    }

    @Test("a forged, tampered or expired link is refused and signs nobody in")
    func deadLinks() async throws {
        try await withMember { browser, db in
            try await verifyMemberEmail(browser, db)
            try await browser.get("/login/code")
            try await browser.post("/login/link/send", [("login", Member.username)])
            let link = try #require(try await lastLink(sentTo: Member.email, in: db))
            let real = token(of: link)
            let tampered = String(real.dropLast()) + (real.last == "A" ? "B" : "A")
            for bad in ["", "abc", tampered, String(repeating: "é", count: 43), "' OR 1=1 --"] {
                let page = try await browser.get("/login/link?token=\(TestBrowser.encode(bad))")
                #expect(page.status == .gone)
                #expect(page.text.contains("This link has expired or has been used"))
                try await browser.get("/login/code")
                #expect(try await browser.post("/login/link", [("token", bad)]).status == .gone)
            }
            try await db.query("UPDATE email_links SET expires_at = now() - interval '1 second', created_at = now() - interval '1 hour'")
            try await browser.get("/login/code")
            #expect(try await browser.post("/login/link", [("token", real)]).status == .gone)
            #expect(try await browser.get("/account").status == .seeOther)
        }
    }

    @Test("a forgotten password can be reset with a code sent to the verified email")
    func recoverByEmail() async throws {
        try await withMember { browser, db in
            try await browser.get("/recover")
            let before = try await notificationCount(db)
            let unverified = try await browser.post("/recover/send", [("login", Member.username), ("channel", "email")])
            #expect(unverified.text.contains("If this login exists and has a verified email, we have emailed a code"))
            #expect(try await notificationCount(db) == before, "no code goes to an address nobody has confirmed")

            try await verifyMemberEmail(browser, db)
            try await browser.get("/recover")
            try await browser.post("/recover/send", [("login", Member.username), ("channel", "email")])
            let code = try #require(try await lastCode(sentTo: Member.email, in: db))
            let done = try await browser.post(
                "/recover", [("login", Member.username), ("channel", "email"), ("code", code), ("password", "a completely new sentence")])
            #expect(done.status == .seeOther)
            #expect(try await browser.get("/account").status == .ok)
        }
    }

    @Test("a forgotten username is emailed to a verified address; other addresses get the same page and nothing")
    func remindByEmail() async throws {
        try await withMember { browser, db in
            try await verifyMemberEmail(browser, db)
            try await browser.get("/recover/username")
            let known = try await browser.post("/recover/username", [("mobile", "MARIA@example.org")])
            #expect(known.status == .ok)
            let body: String = try await db.query(
                "SELECT body FROM notifications WHERE purpose = 'username_reminder' AND channel = 'email' AND recipient = $1",
                [Member.email]
            ).rows[0].decode("body")
            #expect(body.contains(Member.username))
            let before = try await notificationCount(db)
            let unknown = try await browser.post("/recover/username", [("mobile", "someone@example.org")])
            #expect(unknown.status == .ok)
            #expect(unknown.text.contains("If a login has this verified email"))
            #expect(try await notificationCount(db) == before)
            let malformed = try await browser.post("/recover/username", [("mobile", "maria@example")])
            #expect(malformed.status == .unprocessableContent)
            #expect(malformed.text.contains("Enter an email address like name@example.org"))
        }
    }
}
