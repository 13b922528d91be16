import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// Ways in without the password: a texted sign-in code (ID-3), a new password (ID-6), and a
/// username reminder (ID-6). Each answer is the same whether or not the login exists.
public struct RecoveryController: Sendable {
    let codeSignIn: CodeSignIn
    let resetPassword: ResetPassword
    let remindUsername: RemindUsername
    let reactivation: ReactivateLogin
    let linkSignIn: EmailLinkSignIn
    let verifyEmail: VerifyEmail
    let limiter: RateLimiter
    let renderer: PageRenderer
    let identity: IdentityController
    let routes = Routes.site
    static let sentNotice = "If this login exists, we have texted a code to its mobile. It works for 5 minutes."
    static let emailedCodeNotice = "If this login exists and has a verified email, we have emailed a code to it. It works for 5 minutes."
    static let linkNotice = "If this login exists and has a verified email, we have emailed a sign-in link to it. It works for 15 minutes."
    static let deadLink = "This link has expired or has been used. Ask for a new one."

    public init(services: AppServices, identity: IdentityController) {
        codeSignIn = CodeSignIn(database: services.database, codes: services.codes)
        resetPassword = ResetPassword(
            database: services.database, passwords: services.passwords, policy: services.passwordPolicy, codes: services.codes)
        remindUsername = RemindUsername(database: services.database)
        reactivation = ReactivateLogin(database: services.database, codes: services.codes)
        linkSignIn = EmailLinkSignIn(database: services.database, links: services.emailLinks)
        verifyEmail = VerifyEmail(database: services.database, links: services.emailLinks)
        limiter = services.rateLimiter
        renderer = services.renderer
        self.identity = identity
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.loginCode, use: showCodeLogin)
        site.post(routes.loginCodeSend, use: sendLoginCode)
        site.post(routes.loginCode, use: submitCodeLogin)
        site.post(routes.loginLinkSend, use: sendLoginLink)
        site.get(routes.loginLink, use: showLoginLink)
        site.post(routes.loginLink, use: submitLoginLink)
        site.get(routes.emailVerify, use: showEmailVerify)
        site.post(routes.emailVerify, use: submitEmailVerify)
        site.get(routes.recover, use: showRecover)
        site.post(routes.recoverSend, use: sendRecoveryCode)
        site.post(routes.recover, use: submitRecover)
        site.get(routes.recoverUsername, use: showRemind)
        site.post(routes.recoverUsername, use: submitRemind)
        site.get(routes.reactivate, use: showReactivate)
        site.post(routes.reactivateSend, use: sendReactivationCode)
        site.post(routes.reactivate, use: submitReactivate)
    }

    struct Input: Decodable {
        var login: String?
        var code: String?
        var password: String?
        var mobile: String?
        var channel: String?
        var token: String?
    }

    private func input(_ request: Request, _ context: AppRequestContext) async throws -> Input {
        try await limiter.hit(.codesPerAddress, key: context.clientAddress)
        return try await request.decode(as: Input.self, context: context)
    }

    /// Signs the person in after a code proved them, remembering the login on this browser.
    private func finishSignIn(_ userID: Int64, login: String, _ context: AppRequestContext) async throws -> Response {
        try await context.requireSession().signIn(userID: userID)
        var response = Response.redirect(to: routes.account.url(), type: .normal)
        identity.rememberLogin(login, on: &response)
        return response
    }

    private func remembered(_ request: Request) -> FormField {
        FormField(request.cookies[IdentityController.lastLoginCookie]?.value)
    }

    // MARK: sign-in with a code (ID-3)

    @Sendable func showCodeLogin(_ request: Request, context: AppRequestContext) async throws -> Response {
        try renderer.response(
            IdentityCodeLogin(chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), login: remembered(request)))
    }

    @Sendable func sendLoginCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        let login = Normalise.text(try await input(request, context).login) ?? ""
        let page = IdentityCodeLogin(chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), login: FormField(login))
        return try await renderer.afterCodeRequest(page, notice: Self.sentNotice) { try await codeSignIn.sendCode(login: login) }
    }

    @Sendable func submitCodeLogin(_ request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await input(request, context)
        let login = Normalise.text(fields.login) ?? ""
        guard let userID = try await codeSignIn.signIn(login: login, code: fields.code ?? "", clientAddress: context.clientAddress) else {
            var page = IdentityCodeLogin(chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), login: FormField(login))
            page.codeError = OneTimeCodes.wrongForLogin
            return try renderer.response(page, status: .unprocessableContent)
        }
        return try await finishSignIn(userID, login: login, context)
    }

    // MARK: sign-in with an emailed link (ID-3)

    @Sendable func sendLoginLink(_ request: Request, context: AppRequestContext) async throws -> Response {
        let login = Normalise.text(try await input(request, context).login) ?? ""
        let page = IdentityCodeLogin(chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), login: FormField(login))
        return try await renderer.afterCodeRequest(page, notice: Self.linkNotice) { try await linkSignIn.sendLink(login: login) }
    }

    /// Opening the link only shows a button: a GET never signs anyone in, so a mail scanner
    /// that follows links does not spend it.
    @Sendable func showLoginLink(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await limiter.hit(.codesPerAddress, key: context.clientAddress)
        let token = QueryForm(request)["token"] ?? ""
        let live = try await linkSignIn.isLive(token: token)
        return try renderer.response(
            IdentityEmailLink(
                chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), title: "Sign in", action: routes.loginLink.url(),
                button: "Sign in to Meterline", token: live ? token : nil, problem: live ? nil : Self.deadLink,
                retry: routes.loginCode.url()),
            status: live ? .ok : .gone)
    }

    @Sendable func submitLoginLink(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try await input(request, context).token ?? ""
        guard let (userID, username) = try await linkSignIn.signIn(token: token, clientAddress: context.clientAddress) else {
            return try renderer.response(
                IdentityEmailLink(
                    chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), title: "Sign in", action: routes.loginLink.url(),
                    button: "", token: nil, problem: Self.deadLink, retry: routes.loginCode.url()),
                status: .gone)
        }
        return try await finishSignIn(userID, login: username, context)
    }

    // MARK: email verification (ID-1)

    @Sendable func showEmailVerify(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await limiter.hit(.codesPerAddress, key: context.clientAddress)
        let token = QueryForm(request)["token"] ?? ""
        let live = try await verifyEmail.isLive(token: token)
        return try renderer.response(
            IdentityEmailLink(
                chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), title: "Confirm your email",
                action: routes.emailVerify.url(),
                button: "Confirm this is my email", token: live ? token : nil, problem: live ? nil : Self.deadLink,
                retry: routes.accountSettings.url()),
            status: live ? .ok : .gone)
    }

    @Sendable func submitEmailVerify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try await input(request, context).token ?? ""
        let confirmed = try await verifyEmail.confirm(token: token, clientAddress: context.clientAddress)
        var page = IdentityEmailLink(
            chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), title: "Confirm your email", action: routes.emailVerify.url(),
            button: "", token: nil, problem: confirmed ? nil : Self.deadLink, retry: routes.accountSettings.url())
        if confirmed {
            page.notice = "Thank you: your email is confirmed. You can now sign in with a link sent to it, and get codes and reminders there."
        }
        return try renderer.response(page, status: confirmed ? .ok : .gone)
    }

    // MARK: forgotten password (ID-6)

    @Sendable func showRecover(_ request: Request, context: AppRequestContext) async throws -> Response {
        try renderer.response(IdentityRecover(chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), login: remembered(request)))
    }

    @Sendable func sendRecoveryCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await input(request, context)
        let login = Normalise.text(fields.login) ?? ""
        let channel: OutgoingNotification.Channel = fields.channel == "email" ? .email : .sms
        var page = IdentityRecover(chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), login: FormField(login))
        page.byEmail = channel == .email
        return try await renderer.afterCodeRequest(page, notice: channel == .email ? Self.emailedCodeNotice : Self.sentNotice) {
            try await resetPassword.sendCode(login: login, channel: channel)
        }
    }

    @Sendable func submitRecover(_ request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await input(request, context)
        let login = Normalise.text(fields.login) ?? ""
        var page = IdentityRecover(chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), login: FormField(login))
        page.byEmail = fields.channel == "email"
        switch try await resetPassword.reset(
            login: login, code: fields.code ?? "", newPassword: fields.password ?? "", clientAddress: context.clientAddress)
        {
        case .reset(let userID):
            try await context.requireSession().signIn(userID: userID)
            return .redirect(to: routes.account.url(), type: .normal)
        case .badCode:
            page.codeError = OneTimeCodes.wrongForLogin
        case .badPassword(let message):
            page.passwordError = message
        }
        return try renderer.response(page, status: .unprocessableContent)
    }

    // MARK: reactivation after idle suspension (ID-5)

    @Sendable func showReactivate(_ request: Request, context: AppRequestContext) async throws -> Response {
        try renderer.response(
            IdentityReactivate(chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), login: remembered(request)))
    }

    @Sendable func sendReactivationCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        let login = Normalise.text(try await input(request, context).login) ?? ""
        let page = IdentityReactivate(chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), login: FormField(login))
        return try await renderer.afterCodeRequest(page, notice: Self.sentNotice) { try await reactivation.sendCode(login: login) }
    }

    @Sendable func submitReactivate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await input(request, context)
        let login = Normalise.text(fields.login) ?? ""
        guard let userID = try await reactivation.reactivate(login: login, code: fields.code ?? "", clientAddress: context.clientAddress)
        else {
            var page = IdentityReactivate(chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), login: FormField(login))
            page.codeError = OneTimeCodes.wrongForLogin
            return try renderer.response(page, status: .unprocessableContent)
        }
        return try await finishSignIn(userID, login: login, context)
    }

    // MARK: forgotten username (ID-6)

    @Sendable func showRemind(_ request: Request, context: AppRequestContext) async throws -> Response {
        try renderer.response(IdentityRemind(chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), mobile: FormField()))
    }

    @Sendable func submitRemind(_ request: Request, context: AppRequestContext) async throws -> Response {
        let typed = try await input(request, context).mobile
        var page = IdentityRemind(chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), mobile: FormField(typed))
        if typed?.contains("@") == true {
            guard let email = Normalise.email(typed) else {
                page.mobile.error = "Enter an email address like name@example.org, or a mobile number."
                return try renderer.response(page, status: .unprocessableContent)
            }
            try await remindUsername.send(to: .email(email))
            page.notice = "If a login has this verified email, we have emailed its username to it."
            return try renderer.response(page)
        }
        guard let mobile = Normalise.mobile(typed) else {
            page.mobile.error = "Enter the number with its country code, for example +44 7700 900123, or an email address."
            return try renderer.response(page, status: .unprocessableContent)
        }
        try await remindUsername.send(to: .mobile(mobile))
        page.notice = "If a login has this mobile number, we have texted its username to it."
        return try renderer.response(page)
    }
}
