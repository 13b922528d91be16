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

private let maria = DemoAccounts.accounts[0]

/// Registers a consumer against demo account `index` in a fresh browser, and signs them in.
private func consumer(_ client: any TestClientProtocol, _ db: Database, index: Int, username: String) async throws -> TestBrowser {
    let browser = TestBrowser(client)
    let account = DemoAccounts.accounts[index]
    try await browser.get("/register")
    try await browser.post(
        "/register",
        RegistrationTests.form(
            username: username, fullName: "Person \(index)", mobile: account.mobile, accountNumber: account.number))
    try await browser.post("/register/verify", [("code", try #require(try await lastCode(sentTo: account.mobile, in: db)))])
    try await browser.get("/account")
    return browser
}

@Suite("Tenancy (TN-1, TN-2)")
struct TenancyTests {
    /// María owns account 0 with a meter read every 30 days for 300 days; Tomás and a stranger are registered too.
    private func withPremise(_ body: @escaping @Sendable (TestBrowser, TestBrowser, TestBrowser, Database) async throws -> Void) async throws {
        try await withMember { owner, db in
            try await installMeter(db, daysAgo: 300, initial: 0)
            for (index, daysAgo) in stride(from: 270, through: 0, by: -30).enumerated() {
                try await recordReading(db, value: Int64(300 * (index + 1)), daysAgo: daysAgo)
            }
            try await owner.get("/login")
            try await owner.post("/login", [("login", Member.username), ("password", Member.password)])
            try await owner.get("/account")
            let tenant = try await consumer(owner.client, db, index: 2, username: "tomas.ruiz")
            let stranger = try await consumer(owner.client, db, index: 3, username: "bea.baker")
            try await body(owner, tenant, stranger, db)
        }
    }

    private func shownDays(_ page: TestResponse) -> [String] {
        page.text.matches(of: /<tr><td>([0-9-]{10})<\/td>/).map { String($0.1) }
    }

    @Test("a tenant added by the owner sees the premise's use from the lease start, nothing before; a stranger gets a 404")
    func tenantSeesLeasePeriod() async throws {
        try await withPremise { owner, tenant, stranger, db in
            let premise = "/account/premises/\(maria.number)"
            #expect(try await stranger.get(premise).status == .notFound)
            #expect(try await tenant.get(premise).status == .notFound, "not yet a tenant")
            #expect(try await stranger.get("/account/premises/999999999").status == .notFound, "unknown looks the same")

            let ownerPage = try await owner.get(premise)
            #expect(shownDays(ownerPage).count == 10)
            let added = try await owner.post("/account/premises/\(maria.number)/tenants", [("tenant", "Tomas.Ruiz"), ("start", day(ago: 95))])
            #expect(added.status == .seeOther)
            #expect(try await owner.get(premise).text.contains("Person 2 (tomas.ruiz)"))
            #expect(
                try await countRows("notifications WHERE purpose = 'tenancy_added' AND recipient = $1", db, [DemoAccounts.accounts[2].mobile]) == 1)

            #expect(try await tenant.get("/account").text.contains(premise))
            let seen = shownDays(try await tenant.get(premise))
            #expect(seen == [day(ago: 0), day(ago: 30), day(ago: 60), day(ago: 90)])
            #expect(!(try await stranger.get("/account").text.contains(premise)))
            // A tenant cannot add tenants.
            try await tenant.get(premise)
            #expect(
                try await tenant.post("/account/premises/\(maria.number)/tenants", [("tenant", "bea.baker"), ("start", day(ago: 1))]).status
                    == .notFound)
        }
    }

    @Test("the owner ends a lease: the tenant keeps the days they rented and sees nothing after; history stays")
    func ownerEndsLease() async throws {
        try await withPremise { owner, tenant, _, db in
            let premise = "/account/premises/\(maria.number)"
            try await owner.get(premise)
            try await owner.post("/account/premises/\(maria.number)/tenants", [("tenant", DemoAccounts.accounts[2].mobile), ("start", day(ago: 95))])
            // The lease ended 40 days ago (moved back in time, as if ended then).
            let id: Int64 = try await db.query("SELECT id FROM tenancies").rows[0].decode("id")
            try await owner.get(premise)
            #expect(try await owner.post("/account/tenancies/end", [("tenancy", String(id))]).status == .seeOther)
            try await db.query("UPDATE tenancies SET ends_on = current_date - 40 WHERE id = $1", [id])
            #expect(shownDays(try await tenant.get(premise)) == [day(ago: 60), day(ago: 90)])
            #expect(try await owner.get(premise).text.contains("to \(day(ago: 40))"))
            #expect(try await countRows("tenancies", db) == 1)
            // Ending it again, or someone else's lease, is not found.
            try await owner.get(premise)
            #expect(try await owner.post("/account/tenancies/end", [("tenancy", String(id))]).status == .notFound)
        }
    }

    @Test("a tenant can leave; a stranger cannot end someone's lease")
    func tenantLeaves() async throws {
        try await withPremise { owner, tenant, stranger, db in
            try await owner.get("/account/premises/\(maria.number)")
            try await owner.post("/account/premises/\(maria.number)/tenants", [("tenant", "tomas.ruiz"), ("start", day(ago: 10))])
            let id: Int64 = try await db.query("SELECT id FROM tenancies").rows[0].decode("id")
            try await stranger.get("/account")
            #expect(try await stranger.post("/account/tenancies/end", [("tenancy", String(id))]).status == .notFound)
            let page = try await tenant.get("/account/premises/\(maria.number)")
            #expect(page.text.contains("leave this premise"))
            #expect(try await tenant.post("/account/tenancies/end", [("tenancy", String(id))]).status == .seeOther)
            #expect(try await countRows("tenancies WHERE ends_on IS NOT NULL AND ended_by = tenant_id", db) == 1)
            #expect(try await countRows("audit_log WHERE action = 'tenancy.left'", db) == 1)
        }
    }

    @Test("adding a tenant refuses unknown people, the owner, a second open lease and a bad date, each with a message")
    func badTenants() async throws {
        try await withPremise { owner, _, _, db in
            let action = "/account/premises/\(maria.number)/tenants"
            let cases: [(String, String, String)] = [
                ("", day(ago: 1), "Enter the tenant&#39;s username or mobile number."),
                ("nobody.here", day(ago: 1), "No registered consumer has this username or mobile."),
                (Member.username, day(ago: 1), "You own this premise"),
                ("tomas.ruiz", "31/12/2026", "Enter the day the lease starts, as YYYY-MM-DD."),
                ("<script>alert(1)</script>", day(ago: 1), "No registered consumer"),
            ]
            for (who, start, message) in cases {
                try await owner.get("/account/premises/\(maria.number)")
                let response = try await owner.post(action, [("tenant", who), ("start", start)])
                #expect(response.status == .unprocessableContent, "\(who)")
                #expect(response.text.contains(message) || response.text.contains(message.replacingOccurrences(of: "&#39;", with: "'")), "\(who)")
                #expect(!response.text.contains("<script>alert(1)"))
            }
            try await owner.get("/account/premises/\(maria.number)")
            try await owner.post(action, [("tenant", "tomas.ruiz"), ("start", day(ago: 1))])
            try await owner.get("/account/premises/\(maria.number)")
            #expect(try await owner.post(action, [("tenant", "tomas.ruiz"), ("start", day(ago: 1))]).text.contains("a tenant here already"))
            #expect(try await countRows("tenancies", db) == 1)
        }
    }
}
