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

@Suite("Audit trail (ID-11)")
struct AuditLogTests {
    @Test("registration, sign-ins, failures and the lock are recorded with the client address, never with a password")
    func identityEventsRecorded() async throws {
        let mobile = DemoAccounts.accounts[0].mobile
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            var config = TestApp.config()
            config.trustProxy = true
            let services = try await AppServices.make(config: config, database: db, logger: .init(label: "test"))
            let app = try TestApp.application(services: services)
            try await app.test(.router) { client in
                let browser = TestBrowser(client)
                let from: HTTPFields = [.init("X-Forwarded-For")!: "203.0.113.50"]
                try await browser.get("/register")
                try await browser.post("/register", RegistrationTests.form(), headers: from)
                try await browser.post("/register/verify", [("code", try #require(try await lastCode(sentTo: mobile, in: db)))], headers: from)
                try await browser.get("/account")
                try await browser.post("/logout")
                for _ in 0..<5 {
                    try await browser.get("/login")
                    try await browser.post("/login", [("login", "maria.lopez"), ("password", "secret guess number one")], headers: from)
                }
                try await browser.post("/login", [("login", "nobody.here"), ("password", "secret guess number two")], headers: from)
            }
            await services.shutdown()
            let rows = try await db.query("SELECT action, client_address, details::text AS details FROM audit_log ORDER BY id").rows
            let actions = try rows.map { try $0.decode("action", as: String.self) }
            #expect(actions == ["registration.completed"] + Array(repeating: "login.failed", count: 5) + ["login.locked", "login.failed"])
            #expect(try rows.allSatisfy { try $0.decode("client_address", as: String?.self) == "203.0.113.50" })
            let details = try rows.map { try $0.decode("details", as: String.self) }.joined()
            #expect(!details.contains("secret guess"))
            #expect(details.contains("nobody.here"))
        }
    }

    @Test("the audit log cannot be changed or emptied, only added to")
    func appendOnly() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await AuditLog.record(in: db, .loginSucceeded, userID: 1, clientAddress: "192.0.2.1")
            for statement: SQL in ["UPDATE audit_log SET action = 'login.failed'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
                let error = await #expect(throws: DatabaseError.self) { try await db.query(statement) }
                #expect(error?.sqlState == SQLState.insufficientPrivilege, "\(statement) was allowed")
            }
            #expect(try await db.query("SELECT count(*) AS n FROM audit_log").rows[0].decode("n", as: Int.self) == 1)
        }
    }
}
