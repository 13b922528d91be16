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

@Suite("Staff accounts with an authenticator (ID-7)")
struct StaffTests {
    /// A site with an admin created as `meterline create-staff` does, and a browser.
    func withAdmin(_ body: @escaping @Sendable (TestBrowser, Database, String) async throws -> Void) async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            let services = try await TestApp.services(database: db)
            let created = try await CreateStaff(database: db, passwords: services.passwords).run(
                username: "ada.admin", fullName: "Ada Admin", roles: [.admin], by: nil, clientAddress: "cli")
            let app = try TestApp.application(services: services)
            try await app.test(.router) { client in try await body(TestBrowser(client), db, created.initialPassword) }
            await services.shutdown()
        }
    }

    @Test("an admin's first sign-in forces a new password and an authenticator before any staff page")
    func firstSignInSteps() async throws {
        try await withAdmin { browser, db, initial in
            try await browser.get("/login")
            try await browser.post("/login", [("login", "ada.admin"), ("password", initial)])
            // Every staff page waits until the steps are done.
            #expect(try await browser.get("/admin/staff").headers[.location] == "/staff/password")
            try await browser.get("/staff/password")
            let weak = try await browser.post("/staff/password", [("password", "password123")])
            #expect(weak.status == .unprocessableContent)
            #expect(weak.text.contains("one of the most common"))
            try await browser.post("/staff/password", [("password", "an admin's own long sentence")])
            #expect(try await browser.get("/admin/staff").headers[.location] == "/staff/enrol")
            let enrol = try await browser.get("/staff/enrol")
            #expect(enrol.text.contains("otpauth://totp/Meterline%3Aada%2Eadmin?secret="))
            let wrong = try await browser.post("/staff/enrol", [("code", "000000")])
            #expect(wrong.status == .unprocessableContent || wrong.headers[.location] == "/staff")
            if wrong.status == .unprocessableContent { #expect(wrong.text.contains("That code is not right")) }
            try await browser.get("/staff/enrol")
            try await browser.post("/staff/enrol", [("code", try await currentCode("ada.admin", db))])
            let home = try await browser.get("/staff")
            #expect(home.status == .ok)
            #expect(home.text.contains("Welcome, Ada Admin"))
            #expect(home.text.contains("Administrator"))
            #expect(try await browser.get("/admin/staff").status == .ok)
        }
    }

    @Test("each later sign-in needs a fresh authenticator code, and a used code never works again")
    func laterSignInNeedsCode() async throws {
        try await withAdmin { browser, db, initial in
            try await firstSignIn(browser, db, username: "ada.admin", initial: initial, newPassword: "an admin's own long sentence")
            // The code of the step last used: under load the clock may have moved to the next step.
            let usedStep: Int64 = try await db.query("SELECT totp_last_step FROM users WHERE username = 'ada.admin'").rows[0].decode("totp_last_step")
            let usedCode = TOTP.code(secret: try await secret("ada.admin", db), step: usedStep)
            try await browser.post("/logout")
            try await browser.get("/login")
            try await browser.post("/login", [("login", "ada.admin"), ("password", "an admin's own long sentence")])
            #expect(try await browser.get("/admin/staff").headers[.location] == "/staff/verify")
            try await browser.get("/staff/verify")
            let replay = try await browser.post("/staff/verify", [("code", usedCode)])
            #expect(replay.status == .unprocessableContent)
            // The next time step's code is accepted (the authenticator would show it 30 s later).
            let next = TOTP.code(secret: try await secret("ada.admin", db), step: max(usedStep, TOTP.step(at: Date())) + 1)
            #expect(try await browser.post("/staff/verify", [("code", next)]).headers[.location] == "/staff")
            #expect(try await browser.get("/admin/staff").status == .ok)
        }
    }

    @Test("an admin creates a finance login on the admin page, and it can sign in with the initial password")
    func adminCreatesFinanceUser() async throws {
        try await withAdmin { browser, db, initial in
            try await firstSignIn(browser, db, username: "ada.admin", initial: initial, newPassword: "an admin's own long sentence")
            try await browser.get("/admin/staff")
            let refused = try await browser.post("/admin/staff", [("username", "x"), ("full_name", ""), ("roles[]", "wizard")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("A username has 3 to 32"))
            #expect(refused.text.contains("Give at least one role"))
            #expect(refused.text.contains("Enter the full name"))
            let created = try await browser.post("/admin/staff", [("username", "fin.frank"), ("full_name", "Frank Finance"), ("roles[]", "finance")])
            #expect(created.status == .ok)
            let password = try #require(created.text.firstMatch(of: /<code class="secret">([A-Za-z0-9]{16})<\/code>/).map { String($0.1) })
            let frank = TestBrowser(browser.client)
            try await firstSignIn(frank, db, username: "fin.frank", initial: password, newPassword: "frank's own long sentence")
            #expect(try await frank.get("/staff").text.contains("Finance"))
            // Finance may not manage staff.
            #expect(try await frank.get("/admin/staff").status == .forbidden)
            let audit = try await db.query("SELECT details->>'staff' AS staff FROM audit_log WHERE action = 'staff.created' ORDER BY id").rows
            #expect(try audit.map { try $0.decode("staff", as: String.self) } == ["ada.admin", "fin.frank"])
        }
    }

    @Test("roles are changed on the admin page and recorded; an admin cannot drop their own admin role")
    func changeRoles() async throws {
        try await withAdmin { browser, db, initial in
            try await firstSignIn(browser, db, username: "ada.admin", initial: initial, newPassword: "an admin's own long sentence")
            let services = try await TestApp.services(database: db)
            let bob = try await CreateStaff(database: db, passwords: services.passwords).run(
                username: "bob.reader", fullName: "Bob", roles: [.meterReader], by: nil, clientAddress: nil)
            await services.shutdown()
            try await browser.get("/admin/staff")
            let saved = try await browser.post(
                "/admin/staff/roles", [("user", String(bob.id)), ("roles[]", "meter_reader"), ("roles[]", "technician")])
            #expect(saved.text.contains("Roles of bob.reader saved."))
            let roles: String = try await db.query("SELECT array_to_string(roles, ',') AS r FROM users WHERE id = $1", [bob.id]).rows[0].decode("r")
            #expect(roles == "meter_reader,technician")
            let adminID: Int64 = try await db.query("SELECT id FROM users WHERE username = 'ada.admin'").rows[0].decode("id")
            let selfDemotion = try await browser.post("/admin/staff/roles", [("user", String(adminID)), ("roles[]", "finance")])
            #expect(selfDemotion.status == .unprocessableContent)
            #expect(
                try await db.query("SELECT count(*) AS n FROM audit_log WHERE action = 'staff.roles_changed'").rows[0].decode("n", as: Int.self) == 1)
        }
    }

    @Test("authenticator codes cannot be guessed: five wrong ones lock the login and end the session")
    func wrongCodesLock() async throws {
        try await withAdmin { browser, db, initial in
            try await firstSignIn(browser, db, username: "ada.admin", initial: initial, newPassword: "an admin's own long sentence")
            try await browser.post("/logout")
            try await browser.get("/login")
            try await browser.post("/login", [("login", "ada.admin"), ("password", "an admin's own long sentence")])
            try await browser.get("/staff/verify")
            for _ in 1...4 {
                #expect(try await browser.post("/staff/verify", [("code", "000000")]).status == .unprocessableContent)
            }
            let fifth = try await browser.post("/staff/verify", [("code", "000000")])
            #expect(fifth.headers[.location] == "/login")
            #expect(try await browser.get("/staff/verify").status == .notFound, "the session is over")
            let locked: Bool = try await db.query("SELECT locked_until > now() AS locked FROM users WHERE username = 'ada.admin'").rows[0]
                .decode("locked")
            #expect(locked)
            #expect(try await countRows("audit_log WHERE action = 'login.locked'", db) == 1)
        }
    }

    @Test("wrong authenticator codes from one address are throttled like wrong passwords")
    func wrongCodesThrottledPerAddress() async throws {
        try await withAdmin { browser, db, initial in
            try await firstSignIn(browser, db, username: "ada.admin", initial: initial, newPassword: "an admin's own long sentence")
            try await browser.post("/logout")
            try await browser.get("/login")
            try await browser.post("/login", [("login", "ada.admin"), ("password", "an admin's own long sentence")])
            try await browser.get("/staff/verify")
            // As if many logins had been tried from this address already.
            try await db.query(
                "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ('login-failures:unknown', to_timestamp(floor(extract(epoch FROM now()) / 900) * 900), 21) ON CONFLICT (bucket, window_start) DO UPDATE SET hits = 21"
            )
            let refused = try await browser.post("/staff/verify", [("code", try await currentCode("ada.admin", db))])
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] != nil)
        }
    }

    @Test("two admins who take the admin role from each other at the same moment leave one admin")
    func lastAdminSurvivesARace() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let services = try await TestApp.services(database: db)
            let create = CreateStaff(database: db, passwords: services.passwords)
            let ada = try await create.run(username: "ada.admin", fullName: "Ada", roles: [.admin], by: nil, clientAddress: nil)
            let bea = try await create.run(username: "bea.admin", fullName: "Bea", roles: [.admin], by: nil, clientAddress: nil)
            await services.shutdown()
            let change = ChangeStaffRoles(database: db)
            for _ in 1...5 {
                try await db.query("UPDATE users SET roles = '{admin}' WHERE kind = 'staff'")
                let first = Task { try await change.run(userID: bea.id, roles: [.finance], by: ada.id, clientAddress: "a") }
                let second = Task { try await change.run(userID: ada.id, roles: [.finance], by: bea.id, clientAddress: "b") }
                let outcomes = [await first.result, await second.result]
                let refused = outcomes.filter {
                    if case .failure(let error) = $0 { return (error as? ChangeStaffRoles.Refused) == .lastAdmin }
                    return false
                }
                #expect(refused.count == 1, "exactly one demotion is refused")
                #expect(try await countRows("users WHERE 'admin' = ANY (roles)", db) == 1)
            }
        }
    }

    @Test("to a consumer or a visitor, staff pages do not exist: 404 on every one, GET or POST")
    func consumersSeeNoStaffPages() async throws {
        try await withMember { browser, _ in
            for path in ["/staff", "/staff/password", "/staff/enrol", "/staff/verify", "/admin/staff"] {
                #expect(try await browser.get(path).status == .notFound, "\(path) as a visitor")
            }
            try await browser.get("/login")
            try await browser.post("/login", [("login", Member.username), ("password", Member.password)])
            try await browser.get("/account")
            for path in ["/staff", "/staff/password", "/staff/enrol", "/staff/verify", "/admin/staff"] {
                #expect(try await browser.get(path).status == .notFound, "\(path) as a consumer")
            }
            for path in ["/admin/staff", "/admin/staff/roles", "/staff/verify", "/staff/password"] {
                try await browser.get("/account")  // a page with a form, so the POST carries a valid token
                #expect(try await browser.post(path, [("username", "evil"), ("roles[]", "admin"), ("user", "1")]).status == .notFound)
            }
        }
    }

    @Test("TOTP codes match the RFC 6238 test vectors")
    func rfc6238() {
        let secret = Array("12345678901234567890".utf8)
        #expect(TOTP.code(secret: secret, step: 59 / 30) == "287082")
        #expect(TOTP.code(secret: secret, step: 1_111_111_109 / 30) == "081804")
        #expect(TOTP.code(secret: secret, step: 2_000_000_000 / 30) == "279037")
        #expect(TOTP.base32(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(TOTP.matchingStep("287082", secret: secret, at: Date(timeIntervalSince1970: 59)) == 1)
        #expect(TOTP.matchingStep("287082", secret: secret, at: Date(timeIntervalSince1970: 200)) == nil)
    }
}

@Suite("Audit trail page (ID-11)")
struct AuditPageTests {
    @Test("CSV fields are quoted, and a value a spreadsheet would run as a formula is made inert")
    func csvEncoding() {
        let csv = AuditSearch.csv([
            .init(
                at: "2026-11-23 10:00:00", username: "=HYPERLINK(\"http://x\")", action: "login.failed", address: "-1+1",
                details: "{\"a\": \"b\"}")
        ])
        #expect(
            csv == "time,user,action,client_address,details\r\n"
                + #""2026-11-23 10:00:00","'=HYPERLINK(""http://x"")","login.failed","'-1+1","{""a"": ""b""}""# + "\r\n")
    }

    @Test("finance and admins search the audit trail by action, user and date, and export it as CSV")
    func searchAndExport() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let services = try await TestApp.services(database: db)
            let admin = try await CreateStaff(database: db, passwords: services.passwords).run(
                username: "ada.admin", fullName: "Ada Admin", roles: [.admin], by: nil, clientAddress: "cli")
            let reader = try await CreateStaff(database: db, passwords: services.passwords).run(
                username: "rita.reader", fullName: "Rita", roles: [.meterReader], by: nil, clientAddress: "cli")
            try await AuditLog.record(in: db, .loginFailed, userID: reader.id, clientAddress: "198.51.100.4", details: ["note": "=cmd()"])
            let app = try TestApp.application(services: services)
            try await app.test(.router) { client in
                let browser = TestBrowser(client)
                try await firstSignIn(browser, db, username: "ada.admin", initial: admin.initialPassword, newPassword: "an admin's own long sentence")
                let all = try await browser.get("/admin/audit")
                #expect(all.status == .ok)
                #expect(all.text.contains("staff.created"))
                #expect(all.text.contains("login.failed"))
                let filtered = try await browser.get("/admin/audit?action=login.failed&user=rita.reader")
                #expect(filtered.text.contains("198.51.100.4"))
                #expect(!filtered.text.contains("staff.created</td>"))
                let none = try await browser.get("/admin/audit?user=nobody")
                #expect(none.text.contains("Nothing matches these filters."))
                let bad = try await browser.get("/admin/audit?from=2026-13-45")
                #expect(bad.status == .badRequest)
                #expect(bad.text.contains("Use a date like 2026-11-23."))
                let csv = try await browser.get("/admin/audit.csv?action=login.failed")
                #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
                let lines = csv.text.split(separator: "\r\n")
                #expect(lines.first == "time,user,action,client_address,details")
                #expect(lines.count == 2)
                #expect(lines.last?.contains(#""rita.reader","login.failed","198.51.100.4""#) == true)
                // A meter reader may not see it.
                let rita = TestBrowser(client)
                try await firstSignIn(rita, db, username: "rita.reader", initial: reader.initialPassword, newPassword: "rita's own long sentence")
                #expect(try await rita.get("/admin/audit").status == .forbidden)
                #expect(try await rita.get("/admin/audit.csv").status == .forbidden)
            }
            await services.shutdown()
        }
    }
}
