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

/// The TOTP secret as the authenticator app holds it: stored sealed, opened with the test key.
func secret(_ username: String, _ db: Database) async throws -> [UInt8] {
    let sealed = try #require(
        try await db.query("SELECT totp_secret FROM users WHERE username = $1", [username]).rows[0]
            .decode("totp_secret", as: ByteA?.self)
    ).bytes
    let box = SecretBox(secretKey: Array(try #require(TestApp.config().secretKey).utf8), purpose: "totp")
    return try #require(box.open(sealed))
}

func currentCode(_ username: String, _ db: Database) async throws -> String {
    TOTP.code(secret: try await secret(username, db), step: TOTP.step(at: Date()))
}

/// Signs in and walks the first-login steps: new password, authenticator enrolment.
func firstSignIn(_ browser: TestBrowser, _ db: Database, username: String, initial: String, newPassword: String) async throws {
    try await browser.get("/login")
    let signedIn = try await browser.post("/login", [("login", username), ("password", initial)])
    #expect(signedIn.headers[.location] == "/staff")
    #expect(try await browser.get("/staff").headers[.location] == "/staff/password")
    try await browser.get("/staff/password")
    #expect(try await browser.post("/staff/password", [("password", newPassword)]).headers[.location] == "/staff/enrol")
    try await browser.get("/staff/enrol")
    #expect(try await browser.post("/staff/enrol", [("code", try await currentCode(username, db))]).headers[.location] == "/staff")
}

/// Runs `body` with a browser signed in as a new staff member holding `roles`, first-login
/// steps done, on a site with the demo accounts.
func withStaff(
    _ roles: Set<Role>, username: String = "sam.staff",
    _ body: @escaping @Sendable (TestBrowser, Database, AppServices) async throws -> Void
) async throws {
    try await withTestDatabase { (db: Database) async throws in
        try await DemoAccounts.seed(db)
        let services = try await TestApp.services(database: db)
        let created = try await CreateStaff(database: db, passwords: services.passwords).run(
            username: username, fullName: "Sam Staff", roles: roles, by: nil, clientAddress: "cli")
        let app = try TestApp.application(services: services)
        try await app.test(.router) { client in
            let browser = TestBrowser(client)
            try await firstSignIn(browser, db, username: username, initial: created.initialPassword, newPassword: "a staff member's own sentence")
            try await body(browser, db, services)
        }
        await services.shutdown()
    }
}
