import Accounts
import Billing
import Foundation
import Hummingbird
import Payments
import Platform
import Prepaid

/// BL-5, the consumer's side: pay an owned account's balance (or another amount) on the gateway's
/// hosted page, and see what became of it: pending until the gateway's callback, then a receipt.
public struct PaymentsController: Sendable {
    let premises: PremiseAccess
    let payments: AccountPayments
    let prepaidTokens: PrepaidTokens
    /// Nil when the utility takes no payments online.
    let start: StartOnlinePayment?
    let home: AccountController
    let renderer: PageRenderer
    let currency: Currency
    let publicURL: String
    let routes = Routes.site

    public init(services: AppServices) {
        premises = PremiseAccess(database: services.database)
        payments = AccountPayments(database: services.database)
        prepaidTokens = PrepaidTokens(database: services.database)
        start = services.paymentGateway.map { StartOnlinePayment(database: services.database, gateway: $0, settings: services.config.payments) }
        home = AccountController(services: services)
        renderer = services.renderer
        currency = services.config.billing.currency
        publicURL = services.config.publicURL.hasSuffix("/") ? String(services.config.publicURL.dropLast()) : services.config.publicURL
    }

    public func addRoutes(to site: SiteRouter) {
        site.post(routes.pay, use: pay)
        site.get(routes.payment, use: show)
    }

    struct PayInput: Decodable { var amount: String? }

    @Sendable func pay(_ request: Request, context: ConsumerContext) async throws -> Response {
        let number = context.parameters.get("number") ?? ""
        guard let start else { throw NotFound("online payment") }
        // Only the owner pays: a tenant's or a stranger's account is as absent as a missing one.
        guard let grant = try await premises.premises(of: context.consumer.id).first(where: { $0.isOwner && $0.accountNumber == number })
        else { throw NotFound("account") }
        let typed = try await request.decode(as: PayInput.self, context: context).amount ?? ""
        do {
            let routes = self.routes
            let publicURL = self.publicURL
            let (_, checkout) = try await start.run(
                accountID: grant.accountID, accountNumber: grant.accountNumber, amount: typed, by: context.consumer.id,
                returnURL: { publicURL + routes.payment.url(String($0)) }, webhookURL: publicURL + routes.paymentWebhook.url())
            return .redirect(to: checkout.url, type: .normal)
        } catch let refused as StartOnlinePayment.Refused {
            return try await home.homePage(
                context, payError: (grant.accountNumber, String(typed.prefix(40)), refused.description),
                status: refused == .gatewayUnavailable ? .serviceUnavailable : .unprocessableContent)
        }
    }

    @Sendable func show(_ request: Request, context: ConsumerContext) async throws -> Response {
        guard let id = context.parameters.get("payment").flatMap(Int64.init) else { throw NotFound("payment") }
        let owned = try await premises.premises(of: context.consumer.id).filter(\.isOwner).map(\.accountID)
        let (payment, allocations) = try await payments.payment(id, ownedAccountIDs: owned)
        var page = PaymentShow(
            payment: payment, allocations: allocations, currency: currency, back: (routes.account.url(), "Your account"), chrome: context.chrome)
        if payment.meterID != nil {
            let tokens = try await prepaidTokens.forPayment(payment.id).map(TokenLine.init)
            page.tokens = tokens.isEmpty ? nil : TokenList(tokens)
            if payment.status == .succeeded {
                if tokens.isEmpty {
                    // The payment stays on the account: it pays what the account owed first, the rest is credit.
                    page.credit = nil
                    page.explanation =
                        "Thank you. We could not make your token, so \(page.amount) was paid into account \(payment.accountNumber): it pays what the account owes, and the rest is credit. Call us and we will issue the token."
                } else {
                    // The payment bought the energy (less any share that paid a debt): nothing stays on the account.
                    page.credit = nil
                    if payment.debtRecovered > .zero {
                        page.explanation =
                            "Thank you. \(currency.format(payment.debtRecovered)) of it paid what account \(payment.accountNumber) owed; \(currency.format(payment.amount - payment.debtRecovered)) bought the token below. We have also sent it with the receipt by SMS."
                    }
                }
            }
            // A token still on its way to the meter: the page looks again until the meter answers.
            page.waiting = page.waiting || tokens.contains(where: \.onItsWay)
        }
        return try renderer.response(page)
    }
}

/// The model of `payments/payment.mustache`: where a payment stands, and its receipt once credited.
struct PaymentShow: Page {
    static let template = "payments/payment"
    let chrome: Chrome
    let title: String
    let heading: String
    let status: String
    var explanation: String
    /// Pending: the page looks again by itself.
    var waiting: Bool
    let failed: Bool
    let amount: String
    let accountNumber: String
    let method: String
    let reference: String?
    let receiptNumber: String?
    let startedAt: String
    let creditedAt: String?
    let allocations: [Line]
    let hasAllocations: Bool
    var credit: String?
    let backLink: String
    let backLabel: String
    var notice: String?
    /// What a purchase of prepaid credit bought (BL-8).
    var tokens: TokenList?
    /// Finance's verify and reject forms, for a recorded payment another user may verify.
    var verification: Verification?

    struct Line: Encodable, Sendable {
        let bill: String
        let month: String
        let amount: String
    }

    struct Verification: Encodable, Sendable {
        let verifyAction: String
        let rejectAction: String
        let reason: FormField
        /// Set when the viewer recorded the payment and so cannot verify it.
        let ownPayment: Bool
    }

    init(
        payment: Payment, allocations: [Payment.Allocation], currency: Currency, back: (link: String, label: String), chrome: Chrome
    ) {
        self.chrome = chrome
        amount = currency.format(payment.amount)
        accountNumber = payment.accountNumber
        method = payment.method.title
        reference = payment.reference
        receiptNumber = payment.receiptNumber
        startedAt = payment.createdText
        creditedAt = payment.creditedText
        self.allocations = allocations.map {
            Line(bill: $0.billNumber, month: BillingPeriod($0.period)?.name ?? $0.period, amount: currency.format($0.amount))
        }
        hasAllocations = !allocations.isEmpty
        let settled = allocations.map(\.amount).sum()
        credit =
            payment.status == .succeeded && payment.amount > settled
            ? "\(currency.format(payment.amount - settled)) stays on the account as credit and pays the next bills." : nil
        waiting = payment.status == .pending
        failed = payment.status == .failed || payment.status == .rejected
        (backLink, backLabel) = back
        switch payment.status {
        case .pending:
            title = "Payment pending"
            heading = "Waiting for the payment service"
            status = "Pending"
            explanation =
                "We have not yet heard from the payment service that your payment of \(amount) went through. This page looks again every few seconds; nothing more is needed from you."
        case .succeeded:
            title = "Receipt \(payment.receiptNumber ?? "")"
            heading = "Payment received"
            status = "Paid"
            explanation =
                payment.meterID == nil
                ? "Thank you. \(amount) is paid into account \(payment.accountNumber). We have sent the receipt by SMS."
                : "Thank you. Your token is below; we have also sent it with the receipt by SMS."
        case .failed:
            title = "Payment not taken"
            heading = "The payment did not go through"
            status = "Not taken"
            explanation = "\(payment.failure ?? "The payment service declined it.") Nothing was taken from you; you can try again."
        case .reversed:
            title = "Payment reversed"
            heading = "This payment was reversed"
            status = "Reversed"
            explanation =
                "Your bank took back this payment of \(amount)\(payment.reversedText.map { " on \($0)" } ?? "")."
                + (payment.meterID == nil
                    ? " The bills it paid are open again." : " The electricity it bought is owed again; part of each purchase pays it off.")
        case .awaitingVerification:
            title = "Payment recorded"
            heading = "Payment waiting for verification"
            status = "Waiting for a second finance user"
            explanation = "Recorded by finance. It counts once a second finance user has checked the money arrived."
        case .rejected:
            title = "Payment rejected"
            heading = "This recorded payment was rejected"
            status = "Rejected"
            explanation = "It never counted. Reason: \(payment.failure ?? "")"
        }
    }
}
