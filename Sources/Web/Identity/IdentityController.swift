import Accounts
import Foundation
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// Registration (ID-1), sign-in (ID-2) and sign-out. Thin: decode the form, call one action,
/// choose a page or a redirect. Form errors re-render the form with what was typed (422).
public struct IdentityController: Sendable {
    let register: StartRegistration
    let verification: VerifyRegistration
    let signIn: SignIn
    let unlocking: UnlockLogin
    let limiter: RateLimiter
    let policy: PasswordPolicy
    let renderer: PageRenderer
    /// The sign-in page of a browser that remembers no username: the same for everyone but the token.
    let blankLogin: TokenSlottedPage
    let routes = Routes.site
    /// Remembers the last username on this browser, so a returning consumer only types the rest (ID-3).
    static let lastLoginCookie = "meterline_last_login"

    public init(services: AppServices, codes: OneTimeCodes) throws {
        register = StartRegistration(database: services.database, passwords: services.passwords, codes: codes)
        verification = VerifyRegistration(database: services.database, codes: codes, links: services.emailLinks)
        signIn = SignIn(
            database: services.database, passwords: services.passwords, codes: codes, lockSeconds: services.config.loginLockSeconds,
            idleDays: services.config.idleDays)
        unlocking = UnlockLogin(database: services.database, codes: codes)
        limiter = services.rateLimiter
        policy = services.passwordPolicy
        renderer = services.renderer
        blankLogin = try services.renderer.prerender { IdentityLogin(chrome: Chrome(csrfToken: $0), login: FormField()) }
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.register, use: showRegister)
        site.post(routes.register, use: submitRegister)
        site.get(routes.registerVerify, use: showVerify)
        site.post(routes.registerVerify, use: submitVerify)
        site.post(routes.registerResend, use: resend)
        site.get(routes.usernameCheck, use: checkUsername)
        site.get(routes.login, use: showLogin)
        site.post(routes.login, use: submitLogin)
        site.post(routes.logout, use: logout)
        site.get(routes.unlock, use: showUnlock)
        site.post(routes.unlock, use: submitUnlock)
        site.post(routes.unlockSend, use: sendUnlockCode)
    }

    // MARK: registration

    @Sendable func showRegister(_ request: Request, context: AppRequestContext) async throws -> Response {
        try renderer.response(IdentityRegister(chrome: Chrome(csrfToken: try await session(context).csrfToken()), form: RegistrationForm()))
    }

    @Sendable func submitRegister(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await limiter.hit(.registrationsPerAddress, key: context.clientAddress)
        let input = try await request.decode(as: RegistrationInput.self, context: context)
        var form = RegistrationForm(input, policy: policy)
        if let valid = form.valid(input) {
            do {
                let userID = try await register.run(valid)
                try await session(context).setPendingRegistration(userID: userID)
                return .redirect(to: routes.registerVerify.url(), type: .normal)
            } catch let refused as StartRegistration.Refused {
                switch refused.field {
                case .username: form.username.error = refused.message
                case .email: form.email.error = refused.message
                case .accountNumber: form.accountNumber.error = refused.message
                case .form: form.formError = refused.message
                }
            }
        }
        let page = IdentityRegister(chrome: Chrome(csrfToken: try await session(context).csrfToken()), form: form)
        return try renderer.response(page, status: .unprocessableContent)
    }

    /// JSON for the registration page's script: is this username free? (ID-1, as people type)
    @Sendable func checkUsername(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await limiter.hit(.usernameChecksPerAddress, key: context.clientAddress)
        let name = Normalise.text(QueryForm(request)["name"]) ?? ""
        let answer: UsernameAnswer
        if !Normalise.isValidUsername(name) {
            answer = UsernameAnswer(available: false, message: "Use 3 to 32 letters, digits, dots, dashes or underscores.")
        } else if try await register.isAvailable(name) {
            answer = UsernameAnswer(available: true, message: "\(name) is free.")
        } else {
            answer = UsernameAnswer(available: false, message: StartRegistration.Refused.usernameTaken.message)
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(answer))))
    }

    struct UsernameAnswer: Codable, Equatable {
        let available: Bool
        let message: String
    }

    @Sendable func showVerify(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let pending = try await pendingRegistration(context) else { return .redirect(to: routes.register.url(), type: .normal) }
        return try renderer.response(
            IdentityVerify(chrome: Chrome(csrfToken: try await session(context).csrfToken()), maskedMobile: IdentityVerify.mask(pending.mobile)))
    }

    struct CodeInput: Decodable { var code: String? }

    @Sendable func submitVerify(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let pending = try await pendingRegistration(context) else { return .redirect(to: routes.register.url(), type: .normal) }
        try await limiter.hit(.codesPerAddress, key: context.clientAddress)
        let code = try await request.decode(as: CodeInput.self, context: context).code ?? ""
        let check = try await verification.verify(userID: pending.userID, code: code, clientAddress: context.clientAddress)
        if check == .accepted {
            try await session(context).signIn(userID: pending.userID)
            var response = Response.redirect(to: routes.account.url(), type: .normal)
            rememberLogin(pending.username, on: &response)
            return response
        }
        var page = IdentityVerify(
            chrome: Chrome(csrfToken: try await session(context).csrfToken()), maskedMobile: IdentityVerify.mask(pending.mobile))
        page.codeError = check.message
        return try renderer.response(page, status: .unprocessableContent)
    }

    @Sendable func resend(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let pending = try await pendingRegistration(context) else { return .redirect(to: routes.register.url(), type: .normal) }
        var page = IdentityVerify(
            chrome: Chrome(csrfToken: try await session(context).csrfToken()), maskedMobile: IdentityVerify.mask(pending.mobile))
        try await limiter.hit(.codesPerAddress, key: context.clientAddress)
        do {
            try await verification.resend(userID: pending.userID)
            page.notice = "A new code is on its way. Codes sent earlier no longer work."
            return try renderer.response(page)
        } catch let refusal as OneTimeCodes.IssueRefusal {
            page.codeError = refusal.description
            return try renderer.response(page, status: .tooManyRequests)
        }
    }

    // MARK: sign-in

    @Sendable func showLogin(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try await session(context).csrfToken()
        guard let remembered = request.cookies[Self.lastLoginCookie]?.value else { return blankLogin.response(token: token) }
        return try renderer.response(IdentityLogin(chrome: Chrome(csrfToken: token), login: FormField(remembered)))
    }

    struct LoginInput: Decodable {
        var login: String?
        var password: String?
    }

    @Sendable func submitLogin(_ request: Request, context: AppRequestContext) async throws -> Response {
        // Failures from one address are throttled too: lockout alone would let one client try
        // four passwords on every login there is.
        try await limiter.check(.loginFailuresPerAddress, key: context.clientAddress)
        let input = try await request.decode(as: LoginInput.self, context: context)
        let login = Normalise.text(input.login) ?? ""
        switch try await signIn.run(login: login, password: input.password ?? "", clientAddress: context.clientAddress) {
        case .signedIn(let userID, let staff):
            try await session(context).signIn(userID: userID)
            // Staff go on to their authenticator; consumers to their account.
            var response = Response.redirect(to: staff ? routes.staff.url() : routes.account.url(), type: .normal)
            rememberLogin(login, on: &response)
            return response
        case .needsVerification(let userID):
            try await session(context).setPendingRegistration(userID: userID)
            return .redirect(to: routes.registerVerify.url(), type: .normal)
        case .suspended:
            return try await loginFailed(context, login: login, message: "This login is suspended. Call us to have it reopened.")
        case .idle:
            return try await loginFailed(
                context, login: login, idle: true,
                message: "This login was not used for a long time, so we suspended it to keep it safe. "
                    + "Reactivate it with a code texted to its mobile.")
        case .locked(let minutes):
            return try await loginFailed(
                context, login: login, locked: true,
                message: "This login is locked for \(minutes) more \(minutes == 1 ? "minute" : "minutes") after 5 failed attempts. "
                    + "We texted its mobile a code to unlock it now.")
        case .refused:
            try await limiter.hit(.loginFailuresPerAddress, key: context.clientAddress)
            return try await loginFailed(context, login: login, message: "The username or password is not right.")
        }
    }

    private func loginFailed(
        _ context: AppRequestContext, login: String, locked: Bool = false, idle: Bool = false, message: String
    ) async throws -> Response {
        let page = IdentityLogin(
            chrome: Chrome(csrfToken: try await session(context).csrfToken()), login: FormField(login), error: message, locked: locked, idle: idle)
        return try renderer.response(page, status: .unprocessableContent)
    }

    // MARK: unlock (ID-5)

    @Sendable func showUnlock(_ request: Request, context: AppRequestContext) async throws -> Response {
        let remembered = request.cookies[Self.lastLoginCookie]?.value
        return try renderer.response(IdentityUnlock(chrome: Chrome(csrfToken: try await session(context).csrfToken()), login: FormField(remembered)))
    }

    struct UnlockInput: Decodable {
        var login: String?
        var code: String?
    }

    @Sendable func submitUnlock(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await limiter.hit(.codesPerAddress, key: context.clientAddress)
        let input = try await request.decode(as: UnlockInput.self, context: context)
        let login = Normalise.text(input.login) ?? ""
        if try await unlocking.unlock(login: login, code: input.code ?? "", clientAddress: context.clientAddress) {
            let page = IdentityLogin(
                chrome: Chrome(csrfToken: try await session(context).csrfToken()), login: FormField(login),
                error: nil, locked: false, idle: false, notice: "Your login is unlocked. Sign in with your password.")
            return try renderer.response(page)
        }
        var page = IdentityUnlock(chrome: Chrome(csrfToken: try await session(context).csrfToken()), login: FormField(login))
        page.codeError = OneTimeCodes.wrongForLogin
        return try renderer.response(page, status: .unprocessableContent)
    }

    @Sendable func sendUnlockCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await limiter.hit(.codesPerAddress, key: context.clientAddress)
        let login = Normalise.text(try await request.decode(as: UnlockInput.self, context: context).login) ?? ""
        let page = IdentityUnlock(chrome: Chrome(csrfToken: try await session(context).csrfToken()), login: FormField(login))
        return try await renderer.afterCodeRequest(page, notice: "If this login is locked, we have texted an unlock code to its mobile.") {
            try await unlocking.sendCode(login: login)
        }
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await session(context).end()
        return .redirect(to: routes.home.url(), type: .normal)
    }

    // MARK: helpers

    /// Remembers who signed in on this browser, for the sign-in forms (only cookie-safe logins).
    func rememberLogin(_ login: String, on response: inout Response) {
        guard !login.isEmpty, login.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-@+".contains($0)) }) else { return }
        response.setCookie(
            Cookie(
                name: Self.lastLoginCookie, value: login, maxAge: 365 * 24 * 3600, path: "/", httpOnly: true, sameSite: .lax))
    }

    private func session(_ context: AppRequestContext) throws -> SessionHandle {
        try context.requireSession()
    }

    private func pendingRegistration(_ context: AppRequestContext) async throws -> VerifyRegistration.Pending? {
        guard let userID = try await session(context).current()?.pendingUserID else { return nil }
        return try await verification.pending(userID: userID)
    }
}
