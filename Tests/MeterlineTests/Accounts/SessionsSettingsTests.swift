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

@Suite("Sessions in account settings (ID-8)")
struct SessionsSettingsTests {
    let password = "lamplight over the harbour"

    /// A registered consumer, signed in on two browsers ("phone" and "laptop").
    func withTwoBrowsers(_ body: @escaping @Sendable (TestBrowser, TestBrowser, Database) async throws -> Void) async throws {
        let (password, mobile) = (self.password, DemoAccounts.accounts[0].mobile)
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            let services = try await TestApp.services(database: db)
            let app = try TestApp.application(services: services)
            try await app.test(.router) { client in
                let phone = TestBrowser(client, userAgent: "Phone browser")
                try await phone.get("/register")
                try await phone.post("/register", RegistrationTests.form())
                try await phone.post("/register/verify", [("code", try #require(try await lastCode(sentTo: mobile, in: db)))])
                let laptop = TestBrowser(client, userAgent: "Laptop browser")
                try await laptop.get("/login")
                try await laptop.post("/login", [("login", "maria.lopez"), ("password", password)])
                try await body(phone, laptop, db)
            }
            await services.shutdown()
        }
    }

    @Test("settings list every place the login is signed in, marking this browser")
    func listsSessions() async throws {
        try await withTwoBrowsers { phone, _, _ in
            let page = try await phone.get("/account/settings")
            #expect(page.status == .ok)
            #expect(page.text.contains("Phone browser <span class=\"tag\">This browser</span>"))
            #expect(page.text.contains("Laptop browser"))
        }
    }

    @Test("one session can be signed out from another browser")
    func endOneSession() async throws {
        try await withTwoBrowsers { phone, laptop, db in
            let page = try await phone.get("/account/settings")
            let handle = try #require(page.text.firstMatch(of: /name="session" value="([0-9a-f]{64})"/).map { String($0.1) })
            #expect(try await phone.post("/account/sessions/end", [("session", handle)]).status == .seeOther)
            #expect(try await laptop.get("/account").status == .seeOther)
            #expect(try await phone.get("/account").status == .ok)
        }
    }

    @Test("a session of someone else cannot be ended with its handle")
    func cannotEndOthersSession() async throws {
        try await withTwoBrowsers { phone, _, db in
            try await db.query(
                "INSERT INTO sessions (id_hash, csrf_token, expires_at) VALUES ($1, $2, now() + interval '1 hour')",
                [ByteA(Array(repeating: 7, count: 32)), String(repeating: "c", count: 40)])
            try await phone.get("/account/settings")
            try await phone.post("/account/sessions/end", [("session", String(repeating: "07", count: 32))])
            #expect(
                try await db.query("SELECT count(*) AS n FROM sessions WHERE id_hash = $1", [ByteA(Array(repeating: 7, count: 32))])
                    .rows[0].decode("n", as: Int.self) == 1)
        }
    }

    @Test("sign out everywhere ends every session of the login, this one too")
    func endEverywhere() async throws {
        try await withTwoBrowsers { phone, laptop, db in
            try await phone.get("/account/settings")
            #expect(try await phone.post("/account/sessions/end-all").status == .seeOther)
            #expect(try await phone.get("/account").status == .seeOther)
            #expect(try await laptop.get("/account").status == .seeOther)
            #expect(try await db.query("SELECT count(*) AS n FROM sessions WHERE user_id IS NOT NULL").rows[0].decode("n", as: Int.self) == 0)
        }
    }

    @Test("settings need a signed-in user")
    func needsSignIn() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let app = try TestApp.application(services: try await TestApp.services(database: db))
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/account/settings", method: .get)
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login")
            }
        }
    }
}
