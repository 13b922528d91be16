import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Accounts
@testable import Billing
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Payments
@testable import Platform
@testable import Tickets
@testable import Web

/// Walks the route table and tries every route as every kind of visitor: anonymous, a consumer,
/// a suspended consumer, a staff member who has typed only the password, and staff holding each
/// single role. What each may do follows from the route's audience alone.
@Suite struct AccessMatrixTests {
    /// Who knocks, and how they get a browser that is signed in as them.
    struct Persona: Sendable {
        enum Kind: Sendable, Equatable {
            case anonymous, consumer, suspendedConsumer, halfEnrolledStaff
            case staff(Role)
        }

        let kind: Kind
        let signIn: @Sendable () async throws -> TestBrowser
    }

    /// What the route's audience says must happen to a persona.
    enum Outcome: Hashable, CustomStringConvertible {
        case allowed
        case redirect(String)
        case status(Int)

        var description: String {
            switch self {
            case .allowed: "allowed"
            case .redirect(let to): "303 to \(to)"
            case .status(let code): "\(code)"
            }
        }
    }

    static func expected(_ audience: Audience, for persona: Persona.Kind) -> Set<Outcome> {
        switch (audience, persona) {
        // A first-sign-in page may send the member on to the step that is open.
        case (.staffSigningIn, .halfEnrolledStaff): [.allowed, .redirect("/staff/password")]
        default: [single(audience, for: persona)]
        }
    }

    static func single(_ audience: Audience, for persona: Persona.Kind) -> Outcome {
        switch (audience, persona) {
        case (.everyone, _): .allowed
        case (.consumer, .consumer): .allowed
        case (.consumer, .anonymous), (.consumer, .suspendedConsumer): .redirect("/login")
        case (.consumer, .halfEnrolledStaff), (.consumer, .staff): .redirect("/staff")
        case (.staffSigningIn, .staff): .redirect("/staff")
        case (.staff, .halfEnrolledStaff): .redirect("/staff/password")
        case (.staff(let permission), .staff(let role)): [role].grants(permission) ? .allowed : .status(403)
        case (.staffSigningIn, _), (.staff, _): .status(404)
        // Only a signed callback gets through; nobody's session counts.
        case (.gateway, _): .status(401)
        // Only a signed bridge call gets through.
        case (.bridge, _): .status(401)
        }
    }

    static func observed(_ response: TestResponse) -> Outcome {
        let code = Int(response.status.code)
        if code == 303 || code == 302, let location = response.headers[.location],
            ["/login", "/staff", "/staff/password", "/staff/enrol", "/staff/verify"].contains(location)
        {
            return .redirect(location)
        }
        if [401, 403, 404].contains(code) || code >= 500 { return .status(code) }
        return .allowed
    }

    /// Routes that end the visitor's session go last, each with a fresh sign-in.
    static func endsSession(_ endpoint: any AnyEndpoint) -> Bool {
        [Routes.site.logout.pattern, Routes.site.endAllSessions.pattern].contains(endpoint.pattern)
    }

    @Test func everyRouteAdmitsExactlyItsAudience() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            // Last month's bills, so that bill and bill-run pages have something to show.
            try await TestBilling.seedTariffs(db)
            let (drafter, approver) = try await TestBilling.financeStaff(db)
            let run = try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            let bill = try await db.query(
                "SELECT b.number FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.account_number = $1", [DemoAccounts.accounts[0].number]
            ).rows[0].decode("number", as: String.self)
            // The first account has a prepaid meter, so that its buying page exists.
            let prepaidMeter = try await installMeter(db, serial: "PRE-MATRIX-1")
            try await db.query("UPDATE meters SET kind = 'prepaid' WHERE id = $1", [prepaidMeter])
            try await db.query("UPDATE accounts SET billing_type = 'prepaid' WHERE account_number = $1", [DemoAccounts.accounts[0].number])
            // A payment waiting for verification on the first account, and a sandbox checkout.
            let payment = try await OfficePayments(database: db, settings: PaymentSettings()).record(
                accountNumber: DemoAccounts.accounts[0].number, amount: "12.00", method: "office", reference: "Slip 1", by: drafter,
                clientAddress: nil)
            let checkout = try await SandboxGateway(database: db, secret: [1, 2, 3], pageURL: { $0 }).createCheckout(
                CheckoutRequest(
                    amount: Money(minorUnits: 1200), currency: .poundSterling, description: "Account 1", returnURL: "/account",
                    webhookURL: "http://127.0.0.1:9/payments/webhook"))
            let accountID = try await db.query("SELECT id FROM accounts WHERE account_number = $1", [DemoAccounts.accounts[0].number]).rows[0]
                .decode("id", as: Int64.self)
            let dispute = try await OpenDispute(database: db).run(
                billNumber: bill, accountID: accountID, reason: "The reading is far too high", reading: "", by: drafter)
            // A ticket staff raised on the first account (its owner, who registers below, follows it) and an alert.
            let ticket = try await RaiseTicket(database: db, settings: TicketSettings()).run(
                accountID: accountID, category: "billing", subject: "Bill too high", details: "The bill is twice the usual.", consumerID: nil,
                openedBy: drafter, byStaff: true)
            let alert = try await db.query(
                "INSERT INTO consumption_alerts (account_id, kind, detail) VALUES ($1, 'spike', 'Five times the usual use') RETURNING id", [accountID]
            ).rows[0].decode("id", as: Int64.self)
            let values = [
                "number": DemoAccounts.accounts[0].number, "bill": bill, "run": String(run.id), "category": "residential",
                "payment": String(payment.id), "checkout": checkout.id, "dispute": String(dispute), "ticket": ticket.number,
                "alert": String(alert), "serial": "PRE-MATRIX-1",
            ]
            let services = try await TestApp.services(database: db)
            let (router, site) = try buildSite(services: services)

            // Every URL in the table is registered, and nothing is registered outside it.
            let declared = Set(Routes.site.all.map(\.pattern))
            let routes = site.registered.sorted { !Self.endsSession($0.endpoint) && Self.endsSession($1.endpoint) }
            let registered = Set(routes.map(\.endpoint.pattern))
            #expect(declared == registered, "declared but not registered: \(declared.subtracting(registered))")
            #expect(Routes.site.all.count == declared.count, "two names for one URL")
            // Every staff page is open to some role: a permission no role grants is a page nobody reaches.
            for endpoint in Routes.site.all {
                if case .staff(let permission) = endpoint.audience {
                    #expect(Role.allCases.grants(permission), "no role may open \(endpoint.pattern)")
                }
            }

            let app = Application(router: router, logger: services.logger)
            try await app.test(.router) { client in
                let personas = try await Self.personas(client, db, services)
                var failures: [String] = []
                for persona in personas {
                    try await db.query("DELETE FROM rate_limits")
                    var browser = try await persona.signIn()
                    var token = try #require(browser.csrfToken)
                    for (method, endpoint) in routes {
                        if Self.endsSession(endpoint) || persona.kind == .suspendedConsumer {
                            browser = try await persona.signIn()
                            token = try #require(browser.csrfToken)
                        }
                        let url = Self.url(endpoint, values)
                        // The form token of the persona's session, whatever page came last.
                        let response =
                            method == .post
                            ? try await browser.post(url, headers: [.init("X-CSRF-Token")!: token]) : try await browser.get(url)
                        let want = Self.expected(endpoint.audience, for: persona.kind)
                        let got = Self.observed(response)
                        if !want.contains(got) { failures.append("\(persona.kind) \(method) \(url): expected \(want), got \(got)") }
                    }
                }
                #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
            }
            await services.shutdown()
        }
    }

    /// Parameters are filled with things that exist: the first demo account (the consumer owns
    /// it), its bill, the bill run. A parameter the test does not know fails it.
    static func url(_ endpoint: any AnyEndpoint, _ values: [String: String]) -> String {
        endpoint.pattern.split(separator: "/", omittingEmptySubsequences: false)
            .map { segment in
                guard segment.hasPrefix(":") else { return String(segment) }
                guard let value = values[String(segment.dropFirst())] else {
                    Issue.record("no test value for \(segment) in \(endpoint.pattern)")
                    return "missing"
                }
                return value
            }.joined(separator: "/")
    }

    static func personas(_ client: any TestClientProtocol, _ db: Database, _ services: AppServices) async throws -> [Persona] {
        // Two consumers: the one who stays active owns the first demo account.
        for (index, username) in ["maria.lopez", "samuel.okafor"].enumerated() {
            let account = DemoAccounts.accounts[index]
            let setup = TestBrowser(client)
            try await setup.get("/register")
            try await setup.post(
                "/register",
                RegistrationTests.form(
                    username: username, mobile: account.mobile, accountNumber: account.number))
            try await setup.post("/register/verify", [("code", try #require(try await lastCode(sentTo: account.mobile, in: db)))])
        }
        @Sendable func signIn(_ login: String, _ password: String) async throws -> TestBrowser {
            let browser = TestBrowser(client)
            try await browser.get("/login")
            let response = try await browser.post("/login", [("login", login), ("password", password)])
            #expect(response.status == .seeOther, "\(login) signs in")
            try await browser.get("/login")  // a page with the session's form token
            return browser
        }
        let password = "lamplight over the harbour"
        var personas = [
            Persona(kind: .anonymous) {
                let browser = TestBrowser(client)
                try await browser.get("/login")
                return browser
            },
            Persona(kind: .consumer) { try await signIn("maria.lopez", password) },
            Persona(kind: .suspendedConsumer) {
                try await db.query("UPDATE users SET status = 'active', suspended_reason = NULL WHERE username = 'samuel.okafor'")
                let browser = try await signIn("samuel.okafor", password)
                try await db.query("UPDATE users SET status = 'suspended', suspended_reason = 'administrative' WHERE username = 'samuel.okafor'")
                return browser
            },
        ]
        let create = CreateStaff(database: db, passwords: services.passwords)
        let half = try await create.run(username: "half.staff", fullName: "Half Staff", roles: Set(Role.allCases), by: nil, clientAddress: "cli")
        personas.append(Persona(kind: .halfEnrolledStaff) { try await signIn("half.staff", half.initialPassword) })
        for role in Role.allCases {
            let username = "only.\(role.rawValue)".replacingOccurrences(of: "_", with: ".")
            let created = try await create.run(username: username, fullName: role.title, roles: [role], by: nil, clientAddress: "cli")
            let own = "a staff member's own sentence"
            try await firstSignIn(TestBrowser(client), db, username: username, initial: created.initialPassword, newPassword: own)
            personas.append(
                Persona(kind: .staff(role)) {
                    let browser = try await signIn(username, own)
                    try await browser.get("/staff/verify")
                    // Each code works once: wait out the step used by the last sign-in.
                    try await db.query("UPDATE users SET totp_last_step = NULL WHERE username = $1", [username])
                    try await browser.post("/staff/verify", [("code", try await currentCode(username, db))])
                    try await browser.get("/staff")
                    return browser
                })
        }
        return personas
    }
}
