import Hummingbird

/// The consumer's home after sign-in. Billing and consumption fill it in later; for now it
/// says which utility account is linked.
public struct AccountController: Sendable {
    let database: Database
    let renderer: PageRenderer
    let sessions: SessionStore
    let verifyEmail: VerifyEmail
    let limiter: RateLimiter
    let paths = Paths()

    public init(services: AppServices) {
        database = services.database
        renderer = services.renderer
        sessions = services.sessions
        verifyEmail = VerifyEmail(database: services.database, links: services.emailLinks)
        limiter = services.rateLimiter
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(paths.account), use: home)
        router.get(RouterPath(paths.accountSettings), use: settings)
        router.post(RouterPath(paths.accountEmailVerify), use: sendEmailVerification)
        router.post(RouterPath(paths.endSession), use: endSession)
        router.post(RouterPath(paths.endAllSessions), use: endAllSessions)
    }

    /// The signed-in session and its user, or nil (the caller redirects to sign-in).
    private func signedIn(_ context: AppRequestContext) async throws -> (session: Session, userID: Int64)? {
        guard let session = try await context.session?.current(), let userID = session.userID else { return nil }
        return (session, userID)
    }

    @Sendable func settings(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let (session, userID) = try await signedIn(context) else { return .redirect(to: paths.login, type: .normal) }
        return try await settingsPage(session: session, userID: userID)
    }

    private func settingsPage(
        session: Session, userID: Int64, notice: String? = nil, emailError: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let row = try await database.query(
            "SELECT full_name, email, email_verified_at IS NOT NULL AS verified FROM users WHERE id = $1", [userID]
        ).rows[0]
        let name: String = try row.decode("full_name")
        return try renderer.response(
            AccountSettings(
                chrome: Chrome(user: name, csrfToken: session.csrfToken), csrfToken: session.csrfToken,
                email: try row.decode("email"), emailVerified: try row.decode("verified"), emailNotice: notice, emailError: emailError,
                sessions: try await sessions.list(userID: userID, current: session)),
            status: status)
    }

    /// ID-1: sends (again) the link that verifies the login's email.
    @Sendable func sendEmailVerification(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let (session, userID) = try await signedIn(context) else { return .redirect(to: paths.login, type: .normal) }
        try await limiter.hit(.codesPerAddress, key: context.clientAddress)
        do {
            let sent = try await verifyEmail.send(userID: userID)
            return try await settingsPage(
                session: session, userID: userID,
                notice: sent ? "We have emailed you a link. Open it within 24 hours to confirm your address." : nil)
        } catch let refusal as OneTimeCodes.IssueRefusal {
            return try await settingsPage(session: session, userID: userID, emailError: refusal.description, status: .tooManyRequests)
        }
    }

    struct EndInput: Decodable { var session: String? }

    @Sendable func endSession(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let (_, userID) = try await signedIn(context) else { return .redirect(to: paths.login, type: .normal) }
        let handle = try await request.decode(as: EndInput.self, context: context).session ?? ""
        try await sessions.destroy(handle: handle, userID: userID)
        return .redirect(to: paths.accountSettings, type: .normal)
    }

    @Sendable func endAllSessions(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let (_, userID) = try await signedIn(context) else { return .redirect(to: paths.login, type: .normal) }
        try await sessions.destroyAll(userID: userID)
        try await AuditLog.record(in: database, .signedOutEverywhere, userID: userID, clientAddress: context.clientAddress)
        try await context.requireSession().end()
        return .redirect(to: paths.home, type: .normal)
    }

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let session = try await context.session?.current(), let userID = session.userID else {
            return .redirect(to: Paths().login, type: .normal)
        }
        guard let row = try await database.query(
            """
            SELECT u.full_name, u.username, u.kind, a.account_number, a.supply_address
            FROM users u LEFT JOIN accounts a ON a.id = u.account_id
            WHERE u.id = $1 AND u.status = 'active'
            """, [userID]
        ).rows.first else {
            return .redirect(to: Paths().login, type: .normal)
        }
        if try row.decode("kind", as: String.self) == "staff" { return .redirect(to: paths.staff, type: .normal) }
        let fullName: String = try row.decode("full_name")
        let premises = try await PremiseAccess(database: database).premises(of: userID).map {
            AccountHome.Premise(
                accountNumber: $0.accountNumber, supplyAddress: $0.supplyAddress, isOwner: $0.isOwner, link: paths.premise($0.accountNumber))
        }
        return try renderer.response(AccountHome(
            chrome: Chrome(user: fullName, csrfToken: session.csrfToken), fullName: fullName, username: try row.decode("username"),
            accountNumber: try row.decode("account_number"), supplyAddress: try row.decode("supply_address"), premises: premises))
    }
}

/// The model of `account/home.mustache`.
struct AccountHome: Page {
    static let template = "account/home"
    let chrome: Chrome
    let title = "Your account"
    let fullName: String
    let username: String
    let accountNumber: String?
    let supplyAddress: String?
    let premises: [Premise]

    struct Premise: Encodable, Sendable {
        let accountNumber: String
        let supplyAddress: String
        let isOwner: Bool
        let link: String
    }
}

/// The model of `account/settings.mustache`: where this login is signed in (ID-8).
struct AccountSettings: Page {
    static let template = "account/settings"
    let chrome: Chrome
    let title = "Account settings"
    let csrfToken: String
    let email: String?
    let emailVerified: Bool
    let emailNotice: String?
    let emailError: String?
    let sessions: [SessionStore.Listed]
}
