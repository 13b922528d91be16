import Hummingbird

/// The staff area's front door (ID-7): first-login password, authenticator enrolment and check,
/// the staff home, and the admin page for staff logins and roles.
public struct StaffController: Sendable {
    let database: Database
    let renderer: PageRenderer
    let access: StaffAccess
    let secondFactor: StaffSecondFactor
    let createStaff: CreateStaff
    let passwords: PasswordHasher
    let policy: PasswordPolicy
    let paths = Paths()

    public init(services: AppServices) {
        database = services.database
        renderer = services.renderer
        access = StaffAccess(database: services.database)
        secondFactor = StaffSecondFactor(database: services.database, box: services.totpSecrets)
        createStaff = CreateStaff(database: services.database, passwords: services.passwords)
        passwords = services.passwords
        policy = services.passwordPolicy
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(paths.staff), use: home)
        router.get(RouterPath(paths.staffPassword), use: showPassword)
        router.post(RouterPath(paths.staffPassword), use: submitPassword)
        router.get(RouterPath(paths.staffEnrol), use: showEnrol)
        router.post(RouterPath(paths.staffEnrol), use: submitCode)
        router.get(RouterPath(paths.staffVerify), use: showVerify)
        router.post(RouterPath(paths.staffVerify), use: submitCode)
        router.get(RouterPath(paths.adminStaff), use: adminStaff)
        router.post(RouterPath(paths.adminStaff), use: createStaffLogin)
        router.post(RouterPath(paths.adminStaffRoles), use: changeRoles)
        router.get(RouterPath(paths.adminAudit), use: audit)
        router.get(RouterPath(paths.adminAuditCSV), use: auditCSV)
    }

    private func gate(
        _ permission: Permission, _ context: AppRequestContext, _ page: (StaffMember) async throws -> Response
    ) async throws -> Response {
        try await access.page(permission, context, page)
    }

    private func path(of step: StaffAccess.Step) -> String { StaffAccess.path(of: step) }

    /// A staff member on their way in: the step pages are only for the step that is open.
    private func onStep(_ step: StaffAccess.Step, _ context: AppRequestContext) async throws -> StaffMember {
        guard let member = try await access.member(context) else { throw PageError.notFound }
        guard StaffAccess.nextStep(for: member) == step else { throw StaffAccess.Redirect(step: StaffAccess.nextStep(for: member) ?? .verify) }
        return member
    }

    private func stepPage(_ step: StaffAccess.Step, _ context: AppRequestContext, _ page: (StaffMember) async throws -> Response) async throws -> Response {
        do {
            return try await page(try await onStep(step, context))
        } catch let redirect as StaffAccess.Redirect {
            // Every step done: the staff home.
            let member = try await access.member(context)
            if let member, StaffAccess.nextStep(for: member) == nil { return .redirect(to: paths.staff, type: .normal) }
            return .redirect(to: path(of: redirect.step), type: .normal)
        }
    }

    // MARK: home

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await gate(.enterStaffArea, context) { member in
            try renderer.response(StaffHome(
                chrome: try await Chrome.staff(member, context), fullName: member.fullName, roles: member.roles.map(\.title),
                links: StaffHome.links(for: member)))
        }
    }

    // MARK: first sign-in: password

    @Sendable func showPassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await stepPage(.changePassword, context) { member in
            try renderer.response(StaffPassword(chrome: try await Chrome.staff(member, context), csrfToken: try await context.requireSession().csrfToken()))
        }
    }

    struct PasswordInput: Decodable { var password: String? }

    @Sendable func submitPassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await stepPage(.changePassword, context) { member in
            let password = try await request.decode(as: PasswordInput.self, context: context).password ?? ""
            do {
                try policy.check(password, username: member.username)
            } catch let error as PasswordPolicy.Refusal {
                var page = StaffPassword(chrome: try await Chrome.staff(member, context), csrfToken: try await context.requireSession().csrfToken())
                page.passwordError = error.description
                return try renderer.response(page, status: .unprocessableContent)
            }
            let hash = try await passwords.hash(password)
            let address = context.clientAddress
            try await database.transaction { connection in
                try connection.execute("UPDATE users SET password_hash = $2, must_change_password = false WHERE id = $1", [member.id, hash])
                try AuditLog.record(on: connection, .staffPasswordChanged, userID: member.id, clientAddress: address)
            }
            return .redirect(to: paths.staffEnrol, type: .normal)
        }
    }

    // MARK: authenticator

    @Sendable func showEnrol(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await stepPage(.enrol, context) { member in
            try await enrolPage(member, context, error: nil, status: .ok)
        }
    }

    private func enrolPage(_ member: StaffMember, _ context: AppRequestContext, error: String?, status: HTTPResponse.Status) async throws -> Response {
        let secret = try await secondFactor.enrolmentSecret(userID: member.id)
        let grouped = TOTP.base32(secret).enumerated().map { $0.offset > 0 && $0.offset % 4 == 0 ? " \($0.element)" : "\($0.element)" }.joined()
        let page = StaffEnrol(
            chrome: try await Chrome.staff(member, context), csrfToken: try await context.requireSession().csrfToken(), secret: grouped,
            uri: TOTP.uri(secret: secret, username: member.username), codeError: error)
        return try renderer.response(page, status: status)
    }

    @Sendable func showVerify(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await stepPage(.verify, context) { member in
            try renderer.response(StaffVerify(chrome: try await Chrome.staff(member, context), csrfToken: try await context.requireSession().csrfToken()))
        }
    }

    struct CodeInput: Decodable { var code: String? }

    /// The code from the authenticator, at enrolment or at sign-in.
    @Sendable func submitCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let member = try await access.member(context) else { throw PageError.notFound }
        let step = StaffAccess.nextStep(for: member)
        guard step == .enrol || step == .verify else {
            return .redirect(to: step.map(path(of:)) ?? paths.staff, type: .normal)
        }
        let code = try await request.decode(as: CodeInput.self, context: context).code ?? ""
        if try await secondFactor.accept(userID: member.id, code: code, clientAddress: context.clientAddress) {
            try await context.requireSession().markSecondFactor()
            return .redirect(to: paths.staff, type: .normal)
        }
        let message = "That code is not right. Enter the 6 digits your authenticator shows now; each code works once."
        if step == .enrol { return try await enrolPage(member, context, error: message, status: .unprocessableContent) }
        var page = StaffVerify(chrome: try await Chrome.staff(member, context), csrfToken: try await context.requireSession().csrfToken())
        page.codeError = message
        return try renderer.response(page, status: .unprocessableContent)
    }

    // MARK: audit trail (ID-11)

    private func filter(_ request: Request) -> AuditSearch.Filter {
        let query = QueryForm(request)
        return AuditSearch.Filter(action: query["action"], username: query["user"], from: query["from"], to: query["to"])
    }

    @Sendable func audit(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await gate(.viewAudit, context) { member in
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
                chrome: try await Chrome.staff(member, context),
                actions: AuditLog.Action.allCases.map { .init(value: $0.rawValue, selected: $0.rawValue == filter.action) },
                username: FormField(filter.username), from: from, to: to, entries: entries, empty: entries.isEmpty && status == .ok,
                capped: entries.count == AuditSearch.limit, query: request.uri.query ?? "")
            return try renderer.response(page, status: status)
        }
    }

    @Sendable func auditCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await gate(.viewAudit, context) { _ in
            let entries: [AuditSearch.Entry]
            do {
                entries = try await AuditSearch(database: database).run(filter(request))
            } catch is AuditSearch.Invalid {
                throw PageError.badRequest
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"meterline-audit.csv\"",
                          .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: AuditSearch.csv(entries))))
        }
    }

    // MARK: admin: staff logins and roles

    @Sendable func adminStaff(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await gate(.manageStaff, context) { member in try renderer.response(try await adminPage(member, context)) }
    }

    private func adminPage(_ member: StaffMember, _ context: AppRequestContext) async throws -> AdminStaff {
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
            chrome: try await Chrome.staff(member, context), csrfToken: try await context.requireSession().csrfToken(), staff: staff,
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

    @Sendable func createStaffLogin(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await gate(.manageStaff, context) { member in
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
    }

    struct RolesInput: Decodable {
        var user: Int64?
        var roles: [String]?
    }

    @Sendable func changeRoles(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await gate(.manageStaff, context) { member in
            let input = try await request.decode(as: RolesInput.self, context: context)
            let roles = (input.roles ?? []).compactMap(Role.init(rawValue:)).map(\.rawValue).sorted()
            var page = try await adminPage(member, context)
            guard let userID = input.user, !roles.isEmpty else {
                page.formError = "Give at least one role. To take every role away, ask for the login to be closed."
                return try renderer.response(page, status: .unprocessableContent)
            }
            // An admin cannot take the admin role from themselves: someone must always be able to manage staff.
            if userID == member.id, !roles.contains(Role.admin.rawValue) {
                page.formError = "You cannot remove your own administrator role."
                return try renderer.response(page, status: .unprocessableContent)
            }
            let address = context.clientAddress
            let changed: String? = try await database.transaction { connection in
                guard let name: String = try connection.query(
                    "UPDATE users SET roles = string_to_array($2, ',') WHERE id = $1 AND kind = 'staff' RETURNING username",
                    [userID, roles.joined(separator: ",")]
                ).rows.first?.decode("username") else { return nil }
                try AuditLog.record(
                    on: connection, .staffRolesChanged, userID: member.id, clientAddress: address,
                    details: ["staff": name, "roles": roles.joined(separator: ",")])
                return name
            }
            guard let changed else { throw PageError.notFound }
            page = try await adminPage(member, context)
            page.notice = "Roles of \(changed) saved."
            return try renderer.response(page)
        }
    }
}
