import Hummingbird

/// Ways in without the password: a texted sign-in code (ID-3), a new password (ID-6), and a
/// username reminder (ID-6). Each answer is the same whether or not the login exists.
public struct RecoveryController: Sendable {
    let codeSignIn: CodeSignIn
    let resetPassword: ResetPassword
    let remindUsername: RemindUsername
    let reactivation: ReactivateLogin
    let limiter: RateLimiter
    let renderer: PageRenderer
    let identity: IdentityController
    let paths = Paths()
    static let sentNotice = "If this login exists, we have texted a code to its mobile. It works for 5 minutes."

    public init(services: AppServices, identity: IdentityController) {
        codeSignIn = CodeSignIn(database: services.database, codes: services.codes)
        resetPassword = ResetPassword(
            database: services.database, passwords: services.passwords, policy: services.passwordPolicy, codes: services.codes)
        remindUsername = RemindUsername(database: services.database)
        reactivation = ReactivateLogin(database: services.database, codes: services.codes)
        limiter = services.rateLimiter
        renderer = services.renderer
        self.identity = identity
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(paths.loginCode), use: showCodeLogin)
        router.post(RouterPath(paths.loginCodeSend), use: sendLoginCode)
        router.post(RouterPath(paths.loginCode), use: submitCodeLogin)
        router.get(RouterPath(paths.recover), use: showRecover)
        router.post(RouterPath(paths.recoverSend), use: sendRecoveryCode)
        router.post(RouterPath(paths.recover), use: submitRecover)
        router.get(RouterPath(paths.recoverUsername), use: showRemind)
        router.post(RouterPath(paths.recoverUsername), use: submitRemind)
        router.get(RouterPath(paths.reactivate), use: showReactivate)
        router.post(RouterPath(paths.reactivateSend), use: sendReactivationCode)
        router.post(RouterPath(paths.reactivate), use: submitReactivate)
    }

    struct Input: Decodable {
        var login: String?
        var code: String?
        var password: String?
        var mobile: String?
    }

    private func input(_ request: Request, _ context: AppRequestContext) async throws -> Input {
        try await limiter.hit(.codesPerAddress, key: context.clientAddress)
        return try await request.decode(as: Input.self, context: context)
    }

    /// Signs the person in after a code proved them, remembering the login on this browser.
    private func signedIn(_ userID: Int64, login: String, _ context: AppRequestContext) async throws -> Response {
        try await context.requireSession().signIn(userID: userID)
        var response = Response.redirect(to: paths.account, type: .normal)
        identity.rememberLogin(login, on: &response)
        return response
    }

    private func remembered(_ request: Request) -> FormField {
        FormField(request.cookies[IdentityController.lastLoginCookie]?.value)
    }

    // MARK: sign-in with a code (ID-3)

    @Sendable func showCodeLogin(_ request: Request, context: AppRequestContext) async throws -> Response {
        try renderer.response(IdentityCodeLogin(csrfToken: try await context.requireSession().csrfToken(), login: remembered(request)))
    }

    @Sendable func sendLoginCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        let login = Normalise.text(try await input(request, context).login) ?? ""
        let page = IdentityCodeLogin(csrfToken: try await context.requireSession().csrfToken(), login: FormField(login))
        return try await renderer.afterCodeRequest(page, notice: Self.sentNotice) { try await codeSignIn.sendCode(login: login) }
    }

    @Sendable func submitCodeLogin(_ request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await input(request, context)
        let login = Normalise.text(fields.login) ?? ""
        guard let userID = try await codeSignIn.signIn(login: login, code: fields.code ?? "", clientAddress: context.clientAddress) else {
            var page = IdentityCodeLogin(csrfToken: try await context.requireSession().csrfToken(), login: FormField(login))
            page.codeError = OneTimeCodes.wrongForLogin
            return try renderer.response(page, status: .unprocessableContent)
        }
        return try await signedIn(userID, login: login, context)
    }

    // MARK: forgotten password (ID-6)

    @Sendable func showRecover(_ request: Request, context: AppRequestContext) async throws -> Response {
        try renderer.response(IdentityRecover(csrfToken: try await context.requireSession().csrfToken(), login: remembered(request)))
    }

    @Sendable func sendRecoveryCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        let login = Normalise.text(try await input(request, context).login) ?? ""
        let page = IdentityRecover(csrfToken: try await context.requireSession().csrfToken(), login: FormField(login))
        return try await renderer.afterCodeRequest(page, notice: Self.sentNotice) { try await resetPassword.sendCode(login: login) }
    }

    @Sendable func submitRecover(_ request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await input(request, context)
        let login = Normalise.text(fields.login) ?? ""
        var page = IdentityRecover(csrfToken: try await context.requireSession().csrfToken(), login: FormField(login))
        switch try await resetPassword.reset(
            login: login, code: fields.code ?? "", newPassword: fields.password ?? "", clientAddress: context.clientAddress)
        {
        case .reset(let userID):
            try await context.requireSession().signIn(userID: userID)
            return .redirect(to: paths.account, type: .normal)
        case .badCode:
            page.codeError = OneTimeCodes.wrongForLogin
        case .badPassword(let message):
            page.passwordError = message
        }
        return try renderer.response(page, status: .unprocessableContent)
    }

    // MARK: reactivation after idle suspension (ID-5)

    @Sendable func showReactivate(_ request: Request, context: AppRequestContext) async throws -> Response {
        try renderer.response(IdentityReactivate(csrfToken: try await context.requireSession().csrfToken(), login: remembered(request)))
    }

    @Sendable func sendReactivationCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        let login = Normalise.text(try await input(request, context).login) ?? ""
        let page = IdentityReactivate(csrfToken: try await context.requireSession().csrfToken(), login: FormField(login))
        return try await renderer.afterCodeRequest(page, notice: Self.sentNotice) { try await reactivation.sendCode(login: login) }
    }

    @Sendable func submitReactivate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await input(request, context)
        let login = Normalise.text(fields.login) ?? ""
        guard let userID = try await reactivation.reactivate(login: login, code: fields.code ?? "", clientAddress: context.clientAddress)
        else {
            var page = IdentityReactivate(csrfToken: try await context.requireSession().csrfToken(), login: FormField(login))
            page.codeError = OneTimeCodes.wrongForLogin
            return try renderer.response(page, status: .unprocessableContent)
        }
        return try await signedIn(userID, login: login, context)
    }

    // MARK: forgotten username (ID-6)

    @Sendable func showRemind(_ request: Request, context: AppRequestContext) async throws -> Response {
        try renderer.response(IdentityRemind(csrfToken: try await context.requireSession().csrfToken(), mobile: FormField()))
    }

    @Sendable func submitRemind(_ request: Request, context: AppRequestContext) async throws -> Response {
        let typed = try await input(request, context).mobile
        var page = IdentityRemind(csrfToken: try await context.requireSession().csrfToken(), mobile: FormField(typed))
        guard let mobile = Normalise.mobile(typed) else {
            page.mobile.error = "Enter the number with its country code, for example +44 7700 900123."
            return try renderer.response(page, status: .unprocessableContent)
        }
        try await remindUsername.send(mobile: mobile)
        page.notice = "If a login has this mobile number, we have texted its username to it."
        return try renderer.response(page)
    }
}
