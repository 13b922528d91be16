import Accounts
import Billing
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// The consumer's home after sign-in. Billing and consumption fill it in later; for now it
/// says which utility account is linked.
public struct AccountController: Sendable {
    let database: Database
    let renderer: PageRenderer
    let sessions: SessionStore
    let verifyEmail: VerifyEmail
    let limiter: RateLimiter
    let premises: PremiseAccess
    let bills: AccountBills
    let currency: Currency
    /// Whether consumers can pay online here (a gateway is configured).
    let onlinePayments: Bool
    let routes = Routes.site

    public init(services: AppServices) {
        database = services.database
        renderer = services.renderer
        sessions = services.sessions
        verifyEmail = VerifyEmail(database: services.database, links: services.emailLinks)
        limiter = services.rateLimiter
        premises = PremiseAccess(database: services.database)
        bills = AccountBills(database: services.database)
        currency = services.config.billing.currency
        onlinePayments = services.paymentGateway != nil
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.account, use: home)
        site.get(routes.accountSettings, use: settings)
        site.post(routes.accountEmailVerify, use: sendEmailVerification)
        site.post(routes.accountMessages, use: chooseMessages)
        site.post(routes.endSession, use: endSession)
        site.post(routes.endAllSessions, use: endAllSessions)
    }

    @Sendable func settings(_ request: Request, context: ConsumerContext) async throws -> Response {
        try await settingsPage(context)
    }

    /// NT-2: SMS, email or both, per kind of message.
    @Sendable func chooseMessages(_ request: Request, context: ConsumerContext) async throws -> Response {
        let fields = try await request.decode(as: [String: String].self, context: context)
        var choices: [OwnerNotices.Kind: OwnerNotices.Channels] = [:]
        for kind in OwnerNotices.Kind.allCases {
            guard let value = fields[kind.rawValue] else { continue }
            guard let channels = OwnerNotices.Channels(rawValue: value) else { throw PageError.badRequest }
            choices[kind] = channels
        }
        do {
            try await OwnerNotices.choose(choices, userID: context.consumer.id, in: database)
        } catch let refused as OwnerNotices.NeedsVerifiedEmail {
            return try await settingsPage(context, messagesError: refused.description, status: .unprocessableContent)
        }
        return try await settingsPage(context, messagesNotice: "Saved: we will tell you as you chose.")
    }

    private func settingsPage(
        _ context: ConsumerContext, notice: String? = nil, emailError: String? = nil, messagesNotice: String? = nil,
        messagesError: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let chosen = try await OwnerNotices.preferences(userID: context.consumer.id, in: database)
        let row = try await database.query(
            "SELECT email, email_verified_at IS NOT NULL AS verified FROM users WHERE id = $1", [context.consumer.id]
        ).rows[0]
        return try renderer.response(
            AccountSettings(
                chrome: context.chrome,
                email: try row.decode("email"), emailVerified: try row.decode("verified"), emailNotice: notice, emailError: emailError,
                sessions: try await sessions.list(userID: context.consumer.id, current: context.session),
                messagesNotice: messagesNotice, messagesError: messagesError,
                messageKinds: OwnerNotices.Kind.allCases.map { kind in
                    AccountSettings.MessageKind(
                        title: kind.title,
                        options: OwnerNotices.Channels.allCases.map { channels in
                            .init(
                                kind: kind.rawValue, value: channels.rawValue,
                                label: channels == .sms ? "SMS" : channels == .email ? "email" : "both",
                                checked: chosen[kind] == channels)
                        })
                }),
            status: status)
    }

    /// ID-1: sends (again) the link that verifies the login's email.
    @Sendable func sendEmailVerification(_ request: Request, context: ConsumerContext) async throws -> Response {
        try await limiter.hit(.codesPerAddress, key: context.clientAddress)
        do {
            let sent = try await verifyEmail.send(userID: context.consumer.id)
            return try await settingsPage(
                context, notice: sent ? "We have emailed you a link. Open it within 24 hours to confirm your address." : nil)
        } catch let refusal as OneTimeCodes.IssueRefusal {
            return try await settingsPage(context, emailError: refusal.description, status: .tooManyRequests)
        }
    }

    struct EndInput: Decodable { var session: String? }

    @Sendable func endSession(_ request: Request, context: ConsumerContext) async throws -> Response {
        let handle = try await request.decode(as: EndInput.self, context: context).session ?? ""
        try await sessions.destroy(handle: handle, userID: context.consumer.id)
        return .redirect(to: routes.accountSettings.url(), type: .normal)
    }

    @Sendable func endAllSessions(_ request: Request, context: ConsumerContext) async throws -> Response {
        try await sessions.destroyAll(userID: context.consumer.id)
        try await AuditLog.record(in: database, .signedOutEverywhere, userID: context.consumer.id, clientAddress: context.clientAddress)
        try await context.sessionHandle.end()
        return .redirect(to: routes.home.url(), type: .normal)
    }

    @Sendable func home(_ request: Request, context: ConsumerContext) async throws -> Response {
        try await homePage(context, notice: try await context.sessionHandle.takeFlash())
    }

    /// The home page; with a payment amount that was refused, the message is shown by that
    /// premise's amount field, with what was typed.
    func homePage(
        _ context: ConsumerContext, notice: String? = nil, payError: (accountNumber: String, typed: String, message: String)? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let consumer = context.consumer
        let grants = try await premises.premises(of: consumer.id)
        let own = grants.first(where: \.isOwner)
        // Balances and last bills are the owner's; a tenant sees theirs on the premise page.
        let latest = try await bills.latest(ownedAccountIDs: grants.filter(\.isOwner).map(\.accountID))
        let premises = grants.map { grant in
            let money = latest[grant.accountID]
            let owes = grant.isOwner && (money?.balance ?? .zero) > .zero
            let error = payError?.accountNumber == grant.accountNumber ? payError : nil
            return AccountHome.Premise(
                accountNumber: grant.accountNumber, supplyAddress: grant.supplyAddress, isOwner: grant.isOwner,
                link: routes.premise.url(grant.accountNumber),
                balance: money.map {
                    ($0.balance.isNegative ? "in credit " : "") + currency.format($0.balance).replacingOccurrences(of: "−", with: "")
                },
                lastBill: money?.lastBill.map(currency.format), dueOn: money?.dueOn.map(BillShow.day),
                pay: grant.isOwner && onlinePayments
                    ? AccountHome.PayForm(
                        action: routes.pay.url(grant.accountNumber),
                        balance: owes ? money.map { currency.plain($0.balance) } : nil,
                        balanceLabel: owes ? money.map { currency.format($0.balance) } : nil,
                        amount: FormField(error?.typed, error: error?.message),
                        fieldID: "amount-\(grant.accountNumber)") : nil)
        }
        return try renderer.response(
            AccountHome(
                chrome: context.chrome, fullName: consumer.fullName, username: consumer.username,
                accountNumber: own?.accountNumber, supplyAddress: own?.supplyAddress, notice: notice, onlinePayments: onlinePayments,
                premises: premises),
            status: status)
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
    let notice: String?
    let onlinePayments: Bool
    let premises: [Premise]

    /// BL-5: pay the balance in one press, or another amount.
    struct PayForm: Encodable, Sendable {
        let action: String
        /// What the "Pay … now" button sends, as typed money ("1234.50"); nil when nothing is owed.
        let balance: String?
        let balanceLabel: String?
        let amount: FormField
        let fieldID: String
    }

    struct Premise: Encodable, Sendable {
        let accountNumber: String
        let supplyAddress: String
        let isOwner: Bool
        let link: String
        let balance: String?
        let lastBill: String?
        let dueOn: String?
        let pay: PayForm?
    }
}

/// The model of `account/settings.mustache`: where this login is signed in (ID-8).
struct AccountSettings: Page {
    static let template = "account/settings"
    let chrome: Chrome
    let title = "Account settings"
    let email: String?
    let emailVerified: Bool
    let emailNotice: String?
    let emailError: String?
    let sessions: [SessionStore.Listed]
    let messagesNotice: String?
    let messagesError: String?
    let messageKinds: [MessageKind]

    struct MessageKind: Encodable, Sendable {
        let title: String
        let options: [Option]
    }

    struct Option: Encodable, Sendable {
        let kind: String
        let value: String
        let label: String
        let checked: Bool
    }
}
