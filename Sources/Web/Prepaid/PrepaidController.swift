import Accounts
import Billing
import Foundation
import Hummingbird
import Identity
import Payments
import Platform
import Prepaid

/// BL-8 in the portal: a consumer buys prepaid electricity and sees the tokens; a technician on
/// site issues an emergency token; an engineer loads vending keys.
public struct PrepaidController: Sendable {
    let premises: PremiseAccess
    let tokens: PrepaidTokens
    let bills: AccountBills
    let prepaid: PrepaidSettings
    let buy: BuyPrepaidCredit?
    let emergency: IssueEmergencyToken
    let keys: VendingKeys
    let renderer: PageRenderer
    let currency: Currency
    let publicURL: String
    let database: Database
    let routes = Routes.site

    public init(services: AppServices) {
        database = services.database
        premises = PremiseAccess(database: services.database)
        tokens = PrepaidTokens(database: services.database)
        bills = AccountBills(database: services.database)
        prepaid = services.config.prepaid
        buy = services.paymentGateway.map {
            BuyPrepaidCredit(
                start: StartOnlinePayment(database: services.database, gateway: $0, settings: services.config.payments),
                prepaid: services.config.prepaid)
        }
        emergency = IssueEmergencyToken(database: services.database, box: services.vendingKeys, settings: services.config.prepaid)
        keys = VendingKeys(database: services.database, box: services.vendingKeys)
        renderer = services.renderer
        currency = services.config.billing.currency
        publicURL = services.config.publicURL.hasSuffix("/") ? String(services.config.publicURL.dropLast()) : services.config.publicURL
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.prepaid, use: showBuy)
        site.post(routes.prepaid, use: submitBuy)
        site.get(routes.fieldEmergencyToken, use: showEmergency)
        site.post(routes.fieldEmergencyToken, use: submitEmergency)
        site.get(routes.opsVendingKeys, use: showKeys)
        site.post(routes.opsVendingKeys, use: submitKey)
    }

    // MARK: Consumers

    struct BuyInput: Decodable {
        var meter: String?
        var amount: String?
    }

    @Sendable func showBuy(_ request: Request, context: ConsumerContext) async throws -> Response {
        try await buyPage(context, input: BuyInput())
    }

    @Sendable func submitBuy(_ request: Request, context: ConsumerContext) async throws -> Response {
        let (grant, meters) = try await ownedPrepaid(context)
        let input = try await request.decode(as: BuyInput.self, context: context)
        guard let buy else { throw NotFound("online payment") }
        do {
            let routes = self.routes
            let publicURL = self.publicURL
            let (_, checkout) = try await buy.run(
                accountID: grant.accountID, meterSerial: input.meter ?? meters.first?.serial ?? "", amount: input.amount ?? "",
                by: context.consumer.id, returnURL: { publicURL + routes.payment.url(String($0)) },
                webhookURL: publicURL + routes.paymentWebhook.url())
            return .redirect(to: checkout.url, type: .normal)
        } catch let refused as BuyPrepaidCredit.Refused {
            return try await buyPage(
                context, input: input, error: refused.description,
                status: refused == .gatewayUnavailable ? .serviceUnavailable : .unprocessableContent)
        }
    }

    private func ownedPrepaid(_ context: ConsumerContext) async throws -> (PremiseAccess.Grant, [PrepaidTokens.Meter]) {
        let number = context.parameters.get("number") ?? ""
        // Only the owner buys; a tenant's or a stranger's account is as absent as a missing one.
        guard let grant = try await premises.premises(of: context.consumer.id).first(where: { $0.isOwner && $0.accountNumber == number }),
            case let meters = try await tokens.meters(of: grant.accountID), !meters.isEmpty
        else { throw NotFound("prepaid meter") }
        return (grant, meters)
    }

    private func buyPage(_ context: ConsumerContext, input: BuyInput, error: String? = nil, status: HTTPResponse.Status = .ok) async throws
        -> Response
    {
        let (grant, meters) = try await ownedPrepaid(context)
        let chosen = input.meter ?? meters[0].serial
        let tokenLines = try await tokens.forAccount(grant.accountID).map(TokenLine.init)
        // What the account owes is paid off a share of each purchase; the buyer knows before paying.
        let owed = try await bills.latest(ownedAccountIDs: [grant.accountID])[grant.accountID]?.balance ?? .zero
        let debt =
            owed > .zero && prepaid.debtRecoveryPercent > 0
            ? "Your account owes \(currency.format(owed)). \(prepaid.debtRecoveryPercent)% of each purchase pays towards it until it is cleared; the rest buys electricity."
            : nil
        return try renderer.response(
            PrepaidBuyPage(
                chrome: context.chrome, accountNumber: grant.accountNumber, supplyAddress: grant.supplyAddress,
                action: routes.prepaid.url(grant.accountNumber), back: routes.premise.url(grant.accountNumber),
                price: currency.format(buy?.prepaid.pricePerKilowattHour ?? .zero), online: buy != nil,
                meters: meters.map { SelectOption(value: $0.serial, label: $0.serial, selected: $0.serial == chosen) },
                amount: FormField(input.amount.map { String($0.prefix(40)) }, error: error), debt: debt,
                tokens: tokenLines, hasTokens: !tokenLines.isEmpty),
            status: status)
    }

    // MARK: Technicians

    struct EmergencyInput: Decodable {
        var meter: String?
        var reason: String?
    }

    @Sendable func showEmergency(_ request: Request, context: StaffContext) async throws -> Response {
        try await emergencyPage(context, input: EmergencyInput())
    }

    @Sendable func submitEmergency(_ request: Request, context: StaffContext) async throws -> Response {
        let input = try await request.decode(as: EmergencyInput.self, context: context)
        let (_, meters) = try await prepaidMeters(context)
        guard let meter = meters.first(where: { $0.serial == input.meter }) ?? (meters.count == 1 ? meters.first : nil) else {
            return try await emergencyPage(context, input: input, error: "Choose the meter.", status: .unprocessableContent)
        }
        do {
            let issued = try await emergency.run(
                meterID: meter.id, reason: input.reason ?? "", by: context.member.id, clientAddress: context.clientAddress)
            return try await emergencyPage(
                context, input: EmergencyInput(),
                issued: issued.map {
                    var token = $0
                    token.meterSerial = meter.serial
                    return token
                })
        } catch let refused as TokenRefused {
            return try await emergencyPage(context, input: input, error: refused.description, status: .unprocessableContent)
        }
    }

    private func prepaidMeters(_ context: StaffContext) async throws -> (accountNumber: String, [PrepaidTokens.Meter]) {
        let number = context.parameters.get("number") ?? ""
        guard let account = try await database.query("SELECT id FROM accounts WHERE account_number = \(number)").rows.first else {
            throw PageError.notFound
        }
        return (number, try await tokens.meters(of: try account.decode("id")))
    }

    private func emergencyPage(
        _ context: StaffContext, input: EmergencyInput, error: String? = nil, issued: [PrepaidToken] = [], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let (number, meters) = try await prepaidMeters(context)
        var recent: [TokenLine] = []
        for meter in meters { recent += try await tokens.forMeter(meter.id, limit: 5).map(TokenLine.init) }
        return try renderer.response(
            EmergencyTokenPage(
                chrome: context.chrome, accountNumber: number, action: routes.fieldEmergencyToken.url(number), back: routes.fieldAccount.url(number),
                meters: meters.map { SelectOption(value: $0.serial, label: $0.serial, selected: $0.serial == input.meter) },
                hasMeters: !meters.isEmpty, reason: FormField(input.reason.map { String($0.prefix(500)) }, error: error),
                issued: issued.isEmpty ? nil : TokenList(issued.map(TokenLine.init)), recent: TokenList(recent)),
            status: status)
    }

    // MARK: Engineers

    struct KeyInput: Decodable {
        var supplyGroup: String?
        var keyRevision: String?
        var keyType: String?
        var key: String?

        enum CodingKeys: String, CodingKey {
            case supplyGroup = "supply_group"
            case keyRevision = "key_revision"
            case keyType = "key_type"
            case key
        }
    }

    @Sendable func showKeys(_ request: Request, context: StaffContext) async throws -> Response {
        let loaded = try await keys.list()
        var page = VendingKeysPage(chrome: context.chrome, action: routes.opsVendingKeys.url(), keys: loaded, hasKeys: !loaded.isEmpty)
        page.notice = try await context.sessionHandle.takeFlash()
        return try renderer.response(page)
    }

    @Sendable func submitKey(_ request: Request, context: StaffContext) async throws -> Response {
        let input = try await request.decode(as: KeyInput.self, context: context)
        do {
            let loaded = try await keys.load(
                supplyGroup: input.supplyGroup ?? "", keyRevision: input.keyRevision ?? "", keyType: input.keyType ?? "", key: input.key ?? "",
                by: context.member.id)
            try await context.sessionHandle.flash(
                "Key \(loaded.fingerprint) loaded for supply group \(loaded.supplyGroup), revision \(loaded.keyRevision). \(loaded.enrolled) prepaid meters enrolled; meters on an older key get a key change with their next token."
            )
            return .redirect(to: routes.opsVendingKeys.url(), type: .normal)
        } catch let refused as VendingKeys.Refused {
            let loaded = try await keys.list()
            var page = VendingKeysPage(chrome: context.chrome, action: routes.opsVendingKeys.url(), keys: loaded, hasKeys: !loaded.isEmpty)
            // What was typed comes back, except the key: it is never shown.
            page.supplyGroup = FormField(input.supplyGroup.map { String($0.prefix(20)) }, error: refused.problems[.supplyGroup])
            page.keyRevision = FormField(input.keyRevision.map { String($0.prefix(5)) }, error: refused.problems[.keyRevision])
            page.keyType = FormField(input.keyType.map { String($0.prefix(5)) } ?? "2", error: refused.problems[.keyType])
            page.key = FormField(nil, error: refused.problems[.key])
            return try renderer.response(page, status: .unprocessableContent)
        }
    }
}

/// The model of `prepaid/buy.mustache`.
struct PrepaidBuyPage: Page {
    static let template = "prepaid/buy"
    let chrome: Chrome
    let title = "Buy electricity"
    let accountNumber: String
    let supplyAddress: String
    let action: String
    let back: String
    let price: String
    let online: Bool
    let meters: [SelectOption]
    let amount: FormField
    /// What the account owes, and the share of a purchase that pays it.
    let debt: String?
    let tokens: [TokenLine]
    let hasTokens: Bool
}

/// Tokens under one key, as the `prepaid/tokens` partial reads them.
struct TokenList: Encodable, Sendable {
    let tokens: [TokenLine]
    let several: Bool

    init(_ tokens: [TokenLine]) {
        self.tokens = tokens
        several = tokens.count > 1
    }
}

/// The model of `prepaid/emergency.mustache`.
struct EmergencyTokenPage: Page {
    static let template = "prepaid/emergency"
    let chrome: Chrome
    let title = "Emergency token"
    let accountNumber: String
    let action: String
    let back: String
    let meters: [SelectOption]
    let hasMeters: Bool
    let reason: FormField
    let issued: TokenList?
    let recent: TokenList
}

/// The model of `prepaid/vending-keys.mustache`.
struct VendingKeysPage: Page {
    static let template = "prepaid/vending-keys"
    let chrome: Chrome
    let title = "Vending keys"
    let action: String
    let keys: [VendingKeys.Summary]
    var hasKeys = false
    var notice: String?
    var supplyGroup = FormField()
    var keyRevision = FormField()
    var keyType = FormField("2")
    var key = FormField()
}
