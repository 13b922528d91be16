import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// The staff area's front door (ID-7): first-login password, authenticator enrolment and check,
/// the staff home, and the admin page for staff logins and roles.
public struct StaffController: Sendable {
    let database: Database
    let renderer: PageRenderer
    let secondFactor: StaffSecondFactor
    let signIn: SignIn
    let createStaff: CreateStaff
    let changeStaffRoles: ChangeStaffRoles
    let passwords: PasswordHasher
    let policy: PasswordPolicy
    let limiter: RateLimiter
    let routes = Routes.site

    public init(services: AppServices) {
        database = services.database
        renderer = services.renderer
        secondFactor = StaffSecondFactor(database: services.database, box: services.totpSecrets)
        signIn = SignIn(
            database: services.database, passwords: services.passwords, codes: services.codes, lockSeconds: services.config.loginLockSeconds,
            idleDays: services.config.idleDays)
        createStaff = CreateStaff(database: services.database, passwords: services.passwords)
        changeStaffRoles = ChangeStaffRoles(database: services.database)
        passwords = services.passwords
        policy = services.passwordPolicy
        limiter = services.rateLimiter
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.staff, use: home)
        site.get(routes.staffPassword, use: showPassword)
        site.post(routes.staffPassword, use: submitPassword)
        site.get(routes.staffEnrol, use: showEnrol)
        site.post(routes.staffEnrol, use: submitCode)
        site.get(routes.staffVerify, use: showVerify)
        site.post(routes.staffVerify, use: submitCode)
        site.get(routes.adminStaff, use: adminStaff)
        site.post(routes.adminStaff, use: createStaffLogin)
        site.post(routes.adminStaffRoles, use: changeRoles)
        site.get(routes.adminAudit, use: audit)
        site.get(routes.adminAuditCSV, use: auditCSV)
    }

    /// A step page opens only while its step is the open one; otherwise it sends the member there.
    private func onStep(
        _ step: StaffMember.Step, _ context: StaffSigningInContext, _ page: () async throws -> Response
    ) async throws -> Response {
        guard let open = StaffMember.nextStep(for: context.member), open != step else { return try await page() }
        return .redirect(to: open.endpoint.url(), type: .normal)
    }

    // MARK: home

    @Sendable func home(_ request: Request, context: StaffContext) async throws -> Response {
        let member = context.member
        return try renderer.response(
            StaffHome(
                chrome: context.chrome, fullName: member.fullName, roles: member.roles.map(\.title), links: StaffHome.links(for: member)))
    }

    // MARK: first sign-in: password

    @Sendable func showPassword(_ request: Request, context: StaffSigningInContext) async throws -> Response {
        try await onStep(.changePassword, context) {
            try renderer.response(StaffPassword(chrome: context.chrome))
        }
    }

    struct PasswordInput: Decodable { var password: String? }

    @Sendable func submitPassword(_ request: Request, context: StaffSigningInContext) async throws -> Response {
        try await onStep(.changePassword, context) {
            let member = context.member
            let password = try await request.decode(as: PasswordInput.self, context: context).password ?? ""
            do {
                try policy.check(password, username: member.username)
            } catch let error as PasswordPolicy.Refusal {
                var page = StaffPassword(chrome: context.chrome)
                page.passwordError = error.description
                return try renderer.response(page, status: .unprocessableContent)
            }
            let hash = try await passwords.hash(password)
            let address = context.clientAddress
            try await database.transaction { connection in
                try connection.execute("UPDATE users SET password_hash = $2, must_change_password = false WHERE id = $1", [member.id, hash])
                try AuditLog.record(on: connection, .staffPasswordChanged, userID: member.id, clientAddress: address)
            }
            return .redirect(to: routes.staffEnrol.url(), type: .normal)
        }
    }

    // MARK: authenticator

    @Sendable func showEnrol(_ request: Request, context: StaffSigningInContext) async throws -> Response {
        try await onStep(.enrol, context) { try await enrolPage(context, error: nil, status: .ok) }
    }

    private func enrolPage(_ context: StaffSigningInContext, error: String?, status: HTTPResponse.Status) async throws -> Response {
        let member = context.member
        let secret = try await secondFactor.enrolmentSecret(userID: member.id)
        let grouped = TOTP.base32(secret).enumerated().map { $0.offset > 0 && $0.offset % 4 == 0 ? " \($0.element)" : "\($0.element)" }.joined()
        let page = StaffEnrol(
            chrome: context.chrome, secret: grouped,
            uri: TOTP.uri(secret: secret, username: member.username), codeError: error)
        return try renderer.response(page, status: status)
    }

    @Sendable func showVerify(_ request: Request, context: StaffSigningInContext) async throws -> Response {
        try await onStep(.verify, context) {
            try renderer.response(StaffVerify(chrome: context.chrome))
        }
    }

    struct CodeInput: Decodable { var code: String? }

    /// The code from the authenticator, at enrolment or at sign-in. Wrong codes count like wrong
    /// passwords: per address, and five in a row lock the login and end this session.
    @Sendable func submitCode(_ request: Request, context: StaffSigningInContext) async throws -> Response {
        let member = context.member
        let step = StaffMember.nextStep(for: member)
        guard step == .enrol || step == .verify else {
            return .redirect(to: step?.endpoint.url() ?? routes.staff.url(), type: .normal)
        }
        // Every try counts against the address first, so tries sent at once cannot outrun the limit.
        try await limiter.hit(.loginFailuresPerAddress, key: context.clientAddress)
        let code = try await request.decode(as: CodeInput.self, context: context).code ?? ""
        switch try await secondFactor.accept(userID: member.id, code: code, clientAddress: context.clientAddress, failures: signIn) {
        case .accepted:
            try await context.sessionHandle.markSecondFactor()
            return .redirect(to: routes.staff.url(), type: .normal)
        case .locked:
            try await context.sessionHandle.end()
            return .redirect(to: routes.login.url(), type: .normal)
        case .wrong:
            break
        }
        let message = "That code is not right. Enter the 6 digits your authenticator shows now; each code works once."
        if step == .enrol { return try await enrolPage(context, error: message, status: .unprocessableContent) }
        var page = StaffVerify(chrome: context.chrome)
        page.codeError = message
        return try renderer.response(page, status: .unprocessableContent)
    }

    // MARK: audit trail (ID-11)

    private func filter(_ request: Request) -> AuditSearch.Filter {
        let query = QueryForm(request)
        return AuditSearch.Filter(action: query["action"], username: query["user"], from: query["from"], to: query["to"])
    }

    @Sendable func audit(_ request: Request, context: StaffContext) async throws -> Response {
        let filter = filter(request)
        var from = FormField(filter.from)
        var to = FormField(filter.to)
        var entries = [AuditSearch.Entry]()
        var status = HTTPResponse.Status.ok
        do {
            entries = try await AuditSearch(database: database).run(filter)
        } catch let invalid as AuditSearch.Invalid {
            from.error = invalid.from
            to.error = invalid.to
            status = .badRequest
        }
        let page = AdminAudit(
            chrome: context.chrome,
            actions: AuditLog.Action.allCases.map { .init(value: $0.rawValue, selected: $0.rawValue == filter.action) },
            username: FormField(filter.username), from: from, to: to, entries: entries, empty: entries.isEmpty && status == .ok,
            capped: entries.count == AuditSearch.limit, query: request.uri.query ?? "")
        return try renderer.response(page, status: status)
    }

    @Sendable func auditCSV(_ request: Request, context: StaffContext) async throws -> Response {
        let entries: [AuditSearch.Entry]
        do {
            entries = try await AuditSearch(database: database).run(filter(request))
        } catch is AuditSearch.Invalid {
            throw PageError.badRequest
        }
        return .csv(AuditSearch.csv(entries), filename: "meterline-audit.csv")
    }

    // MARK: admin: staff logins and roles

    @Sendable func adminStaff(_ request: Request, context: StaffContext) async throws -> Response {
        let member = context.member
        return try renderer.response(try await adminPage(member, context))
    }

    private func adminPage(_ member: StaffMember, _ context: StaffContext) async throws -> AdminStaff {
        let rows = try await database.query(
            """
            SELECT id, username, full_name, array_to_string(roles, ',') AS roles, must_change_password
            FROM users WHERE kind = 'staff' ORDER BY lower(username)
            """)
        let staff = try rows.rows.map { row in
            let roles = Set(try row.decode("roles", as: String.self).split(separator: ",").map(String.init))
            return AdminStaff.Row(
                id: try row.decode("id"), username: try row.decode("username"), fullName: try row.decode("full_name"),
                roles: Role.allCases.map { .init(value: $0.rawValue, title: $0.title, checked: roles.contains($0.rawValue)) },
                pending: try row.decode("must_change_password"))
        }
        return AdminStaff(
            chrome: context.chrome, staff: staff,
            allRoles: Role.allCases.map { .init(value: $0.rawValue, title: $0.title, checked: false) })
    }

    struct CreateInput: Decodable {
        var username: String?
        var fullName: String?
        var roles: [String]?

        enum CodingKeys: String, CodingKey {
            case username, roles
            case fullName = "full_name"
        }
    }

    @Sendable func createStaffLogin(_ request: Request, context: StaffContext) async throws -> Response {
        let member = context.member
        let input = try await request.decode(as: CreateInput.self, context: context)
        let roles = Set((input.roles ?? []).compactMap(Role.init(rawValue:)))
        var page = try await adminPage(member, context)
        page.username = FormField(input.username)
        page.fullName = FormField(input.fullName)
        do {
            let created = try await createStaff.run(
                username: Normalise.text(input.username) ?? "", fullName: input.fullName ?? "", roles: roles, by: member.id,
                clientAddress: context.clientAddress)
            page = try await adminPage(member, context)
            page.created = .init(username: Normalise.text(input.username) ?? "", initialPassword: created.initialPassword)
            return try renderer.response(page)
        } catch let refused as CreateStaff.Refused {
            for problem in refused.problems {
                switch problem {
                case .badUsername, .usernameTaken: page.username.error = problem.description
                case .badName: page.fullName.error = problem.description
                case .noRoles: page.rolesError = problem.description
                }
            }
            return try renderer.response(page, status: .unprocessableContent)
        }
    }

    struct RolesInput: Decodable {
        var user: Int64?
        var roles: [String]?
    }

    @Sendable func changeRoles(_ request: Request, context: StaffContext) async throws -> Response {
        let member = context.member
        let input = try await request.decode(as: RolesInput.self, context: context)
        let roles = Set((input.roles ?? []).compactMap(Role.init(rawValue:)))
        var page = try await adminPage(member, context)
        let changed: String
        do {
            changed = try await changeStaffRoles.run(userID: input.user, roles: roles, by: member.id, clientAddress: context.clientAddress)
        } catch let refused as ChangeStaffRoles.Refused {
            if refused == .noSuchStaff { throw PageError.notFound }
            page.formError = refused.description
            return try renderer.response(page, status: .unprocessableContent)
        }
        page = try await adminPage(member, context)
        page.notice = "Roles of \(changed) saved."
        return try renderer.response(page)
    }
}
