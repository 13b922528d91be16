import Foundation
import Hummingbird
import Payments
import Platform

/// /finance/payments (BL-5): finance records a payment made at the office or by bank transfer;
/// it counts only when a second finance user verifies it, or it is rejected with a reason.
public struct FinancePaymentsController: Sendable {
    let office: OfficePayments
    let payments: AccountPayments
    let renderer: PageRenderer
    let currency: Currency
    let routes = Routes.site

    public init(services: AppServices) {
        office = OfficePayments(database: services.database, settings: services.config.payments)
        payments = AccountPayments(database: services.database)
        renderer = services.renderer
        currency = services.config.billing.currency
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.financePayments, use: index)
        site.post(routes.financePayments, use: record)
        site.get(routes.financePayment, use: show)
        site.post(routes.financePaymentVerify, use: verify)
        site.post(routes.financePaymentReject, use: reject)
    }

    @Sendable func index(_ request: Request, context: StaffContext) async throws -> Response {
        try await indexPage(context, form: .init(), notice: try await context.sessionHandle.takeFlash())
    }

    struct RecordInput: Decodable {
        var account: String?
        var amount: String?
        var method: String?
        var reference: String?
    }

    @Sendable func record(_ request: Request, context: StaffContext) async throws -> Response {
        let input = try await request.decode(as: RecordInput.self, context: context)
        var form = FinancePaymentsPage.RecordForm(
            account: FormField(input.account), amount: FormField(input.amount), method: input.method ?? "",
            reference: FormField(input.reference))
        do {
            let payment = try await office.record(
                accountNumber: input.account ?? "", amount: input.amount ?? "", method: input.method ?? "", reference: input.reference ?? "",
                by: context.member.id, clientAddress: context.clientAddress)
            try await context.sessionHandle.flash(
                "Recorded \(currency.format(payment.amount)) for account \(payment.accountNumber). It counts once a second finance user verifies it.")
            return .redirect(to: routes.financePayments.url(), type: .normal)
        } catch let invalid as OfficePayments.Invalid {
            form.account.error = invalid.account?.description
            form.amount.error = invalid.amount?.description
            form.methodError = invalid.method?.description
            form.reference.error = invalid.reference?.description
            return try await indexPage(context, form: form, status: .unprocessableContent)
        }
    }

    @Sendable func show(_ request: Request, context: StaffContext) async throws -> Response {
        try await paymentPage(context, notice: try await context.sessionHandle.takeFlash())
    }

    @Sendable func verify(_ request: Request, context: StaffContext) async throws -> Response {
        guard let id = context.parameters.get("payment").flatMap(Int64.init) else { throw NotFound("payment") }
        do {
            let payment = try await office.verify(id, by: context.member.id, clientAddress: context.clientAddress)
            try await context.sessionHandle.flash(
                "Verified: \(currency.format(payment.amount)) is credited to account \(payment.accountNumber), receipt \(payment.receiptNumber ?? "")."
            )
            return .redirect(to: routes.financePayment.url(String(id)), type: .normal)
        } catch let refused as OfficePayments.Refused {
            return try await paymentPage(context, notice: refused.description, status: .conflict)
        }
    }

    struct RejectInput: Decodable { var reason: String? }

    @Sendable func reject(_ request: Request, context: StaffContext) async throws -> Response {
        guard let id = context.parameters.get("payment").flatMap(Int64.init) else { throw NotFound("payment") }
        let reason = try await request.decode(as: RejectInput.self, context: context).reason ?? ""
        do {
            _ = try await office.reject(id, reason: reason, by: context.member.id, clientAddress: context.clientAddress)
            try await context.sessionHandle.flash("Rejected: the payment never counts.")
            return .redirect(to: routes.financePayment.url(String(id)), type: .normal)
        } catch let refused as OfficePayments.Refused {
            if refused == .reasonMissing {
                return try await paymentPage(context, reason: FormField(reason, error: refused.description), status: .unprocessableContent)
            }
            return try await paymentPage(context, notice: refused.description, status: .conflict)
        }
    }

    private func paymentPage(
        _ context: StaffContext, notice: String? = nil, reason: FormField = FormField(), status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let id = context.parameters.get("payment").flatMap(Int64.init) else { throw NotFound("payment") }
        let (payment, allocations) = try await payments.payment(id)
        var page = PaymentShow(
            payment: payment, allocations: allocations, currency: currency, back: (routes.financePayments.url(), "Payments"),
            chrome: context.chrome)
        page.notice = notice
        if payment.status == .awaitingVerification {
            page.verification = .init(
                verifyAction: routes.financePaymentVerify.url(String(id)), rejectAction: routes.financePaymentReject.url(String(id)),
                reason: reason, ownPayment: payment.createdBy == context.member.id)
        }
        return try renderer.response(page, status: status)
    }

    private func indexPage(
        _ context: StaffContext, form: FinancePaymentsPage.RecordForm, notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let awaiting = try await office.awaiting().map { payment in
            FinancePaymentsPage.Row(
                link: routes.financePayment.url(String(payment.id)), accountNumber: payment.accountNumber,
                amount: currency.format(payment.amount), method: payment.method.title, reference: payment.reference ?? "",
                recordedAt: payment.createdText, byYou: payment.createdBy == context.member.id)
        }
        return try renderer.response(
            FinancePaymentsPage(chrome: context.chrome, notice: notice, form: form, awaiting: awaiting, hasAwaiting: !awaiting.isEmpty),
            status: status)
    }
}

/// The model of `payments/finance-payments.mustache`.
struct FinancePaymentsPage: Page {
    static let template = "payments/finance-payments"
    let chrome: Chrome
    let title = "Payments"
    let notice: String?
    let form: RecordForm
    let awaiting: [Row]
    let hasAwaiting: Bool

    struct RecordForm: Encodable, Sendable {
        var account = FormField()
        var amount = FormField()
        var method = ""
        var methodError: String?
        var reference = FormField()
        var office: Bool { method == Payment.Method.office.rawValue }
        var bankTransfer: Bool { method == Payment.Method.bankTransfer.rawValue }

        enum CodingKeys: String, CodingKey { case account, amount, methodError, reference, office, bankTransfer }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(account, forKey: .account)
            try container.encode(amount, forKey: .amount)
            try container.encodeIfPresent(methodError, forKey: .methodError)
            try container.encode(reference, forKey: .reference)
            try container.encode(office, forKey: .office)
            try container.encode(bankTransfer, forKey: .bankTransfer)
        }
    }

    struct Row: Encodable, Sendable {
        let link: String
        let accountNumber: String
        let amount: String
        let method: String
        let reference: String
        let recordedAt: String
        let byYou: Bool
    }
}
