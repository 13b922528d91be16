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

/// The consumer the identity tests work with: registered and verified on the first demo account.
enum Member {
    static let username = "maria.lopez"
    static let email = "maria@example.org"
    static let password = "lamplight over the harbour"
    static let mobile = DemoAccounts.accounts[0].mobile
}

/// Runs `body` with a fresh browser on a site where `Member` has registered, verified and signed
/// out again. Code timers and rate limits from that set-up are cleared, so the test starts clean.
func withMember(
    config: AppConfig = TestApp.config(), clock: MovableClock = MovableClock(),
    _ body: @escaping @Sendable (TestBrowser, Database) async throws -> Void
) async throws {
    try await withTestDatabase(clock: clock) { (db: Database) async throws in
        try await DemoAccounts.seed(db)
        let services = try await AppServices.make(config: config, database: db, logger: .init(label: "test"))
        let app = try TestApp.application(services: services)
        try await app.test(.router) { client in
            let setup = TestBrowser(client)
            try await setup.get("/register")
            try await setup.post("/register", RegistrationTests.form(email: Member.email))
            try await setup.post("/register/verify", [("code", try #require(try await lastCode(sentTo: Member.mobile, in: db)))])
            // As a browser does: follow the redirect, then sign out with that page's form.
            try await setup.get("/account")
            #expect(try await setup.post("/logout").status == .seeOther)
            clock.advance(by: 120)
            try await db.query("DELETE FROM rate_limits")
            try await body(TestBrowser(client), db)
        }
        await services.shutdown()
    }
}
