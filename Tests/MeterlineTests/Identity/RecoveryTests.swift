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

@Suite("Sign-in by code and recovery (ID-3, ID-6)")
struct RecoveryTests {

    @Test("a consumer signs in with a code texted to their mobile, no password needed")
    func signInWithCode() async throws {
        try await withMember { browser, db in
            try await browser.get("/login/code")
            let sent = try await browser.post("/login/code/send", [("login", "Maria@Example.org")])
            #expect(sent.text.contains("If this login exists, we have texted a code"))
            let code = try #require(try await lastCode(sentTo: Member.mobile, in: db))
            let response = try await browser.post("/login/code", [("login", "maria@example.org"), ("code", code)])
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/account")
            #expect(try await browser.get("/account").text.contains("Welcome, María López"))
            #expect(try await browser.get("/login/code").text.contains(#"value="maria@example.org""#))
        }
    }

    @Test("a login locked by wrong passwords still signs in with a texted code, which lifts the lock")
    func codeSignInLiftsLock() async throws {
        try await withMember { browser, db in
            try await db.query("UPDATE users SET locked_until = now() + interval '15 minutes' WHERE username = $1", [Member.username])
            try await browser.get("/login/code")
            try await browser.post("/login/code/send", [("login", Member.username)])
            let code = try #require(try await lastCode(sentTo: Member.mobile, in: db))
            #expect(try await browser.post("/login/code", [("login", Member.username), ("code", code)]).headers[.location] == "/account")
            #expect(try await browser.get("/account").status == .ok, "the account page opens: the lock no longer ends the session")
        }
    }

    @Test("asking for a sign-in code for an unknown login looks the same and texts nothing")
    func codeForUnknownLogin() async throws {
        try await withMember { browser, db in
            let before = try await db.query("SELECT count(*) AS n FROM notifications").rows[0].decode("n", as: Int.self)
            try await browser.get("/login/code")
            let response = try await browser.post("/login/code/send", [("login", "nobody.here")])
            #expect(response.status == .ok)
            #expect(response.text.contains("If this login exists, we have texted a code"))
            #expect(try await db.query("SELECT count(*) AS n FROM notifications").rows[0].decode("n", as: Int.self) == before)
        }
    }

    @Test("asking again within a minute gets the same answer for an existing login as for an unknown one")
    func secondRequestRevealsNothing() async throws {
        try await withMember { browser, _ in
            try await browser.get("/login/code")
            var answers: [String: (Int, String)] = [:]
            for login in [Member.username, "nobody.here"] {
                let first = try await browser.post("/login/code/send", [("login", login)])
                let second = try await browser.post("/login/code/send", [("login", login)])
                #expect(first.status == second.status)
                answers[login] = (Int(second.status.code), second.text.replacingOccurrences(of: login, with: "LOGIN"))
            }
            #expect(answers[Member.username]?.0 == answers["nobody.here"]?.0)
            #expect(answers[Member.username]?.0 == 200)
            let notice = { (text: String) in text.firstMatch(of: /<p class="notice"[^>]*>([^<]*)</)?.1 }
            #expect(notice(answers[Member.username]!.1) == notice(answers["nobody.here"]!.1))
        }
    }

    @Test("a new password that repeats the login is refused alike for existing and unknown logins, before the code is checked")
    func resetRulesRevealNothing() async throws {
        try await withMember { browser, _ in
            try await browser.get("/recover")
            var messages: [String] = []
            for login in [Member.username, "nobody.here.at.all"] {
                let response = try await browser.post("/recover", [("login", login), ("code", "123456"), ("password", login)])
                #expect(response.status == .unprocessableContent)
                messages.append(response.text.contains("must not be your username") ? "same-as-login" : "other")
            }
            #expect(messages[0] == messages[1])
        }
    }

    @Test("a sign-in code does not work as a recovery code, nor for another login")
    func codesKeepToTheirPurpose() async throws {
        try await withMember { browser, db in
            try await browser.get("/login/code")
            try await browser.post("/login/code/send", [("login", "maria.lopez")])
            let code = try #require(try await lastCode(sentTo: Member.mobile, in: db))
            try await browser.get("/recover")
            let asRecovery = try await browser.post(
                "/recover", [("login", "maria.lopez"), ("code", code), ("password", "a completely new sentence")])
            #expect(asRecovery.status == .unprocessableContent)
            #expect(asRecovery.text.contains("That code is not right"))
        }
    }

    @Test("a forgotten password is replaced with a texted code, and every other session is signed out")
    func resetPassword() async throws {
        try await withMember { browser, db in
            let other = TestBrowser(browser.client)
            try await other.get("/login")
            try await other.post("/login", [("login", "maria.lopez"), ("password", Member.password)])
            #expect(try await other.get("/account").status == .ok)

            try await browser.get("/recover")
            try await browser.post("/recover/send", [("login", "maria.lopez")])
            let code = try #require(try await lastCode(sentTo: Member.mobile, in: db))
            let weak = try await browser.post("/recover", [("login", "maria.lopez"), ("code", code), ("password", "123456789")])
            #expect(weak.status == .unprocessableContent)
            #expect(weak.text.contains("Use at least 10 characters"))
            let done = try await browser.post("/recover", [("login", "maria.lopez"), ("code", code), ("password", "a completely new sentence")])
            #expect(done.status == .seeOther)
            #expect(try await browser.get("/account").status == .ok)
            // The other browser was signed out; the old Member.password no longer works, the new one does.
            #expect(try await other.get("/account").status == .seeOther)
            try await other.get("/login")
            #expect(try await other.post("/login", [("login", "maria.lopez"), ("password", Member.password)]).status == .unprocessableContent)
            #expect(try await other.post("/login", [("login", "maria.lopez"), ("password", "a completely new sentence")]).status == .seeOther)
        }
    }

    @Test("a forgotten username is texted to its mobile; an unknown number gets the same page and no text")
    func remindUsername() async throws {
        try await withMember { browser, db in
            try await browser.get("/recover/username")
            let known = try await browser.post("/recover/username", [("mobile", "+44 7700 900101")])
            let sms: String = try await db.query(
                "SELECT body FROM notifications WHERE purpose = 'username_reminder'"
            ).rows[0].decode("body")
            #expect(sms.contains("maria.lopez"))
            let unknown = try await browser.post("/recover/username", [("mobile", "+44 7700 900999")])
            #expect(known.status == unknown.status)
            #expect(unknown.text.contains("If a login has this mobile number"))
            #expect(
                try await db.query("SELECT count(*) AS n FROM notifications WHERE recipient = '+447700900999'").rows[0].decode("n", as: Int.self) == 0
            )
            let bad = try await browser.post("/recover/username", [("mobile", "not a number")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("with its country code"))
        }
    }
}
