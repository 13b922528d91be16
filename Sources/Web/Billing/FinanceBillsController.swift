import Billing
import Foundation
import Hummingbird
import Platform

/// /finance/bills (BL-2, BL-4): finance finds an issued bill by its number, sees it as its owner
/// does, and cancels it with a credit note whose reason the consumer reads. An issued bill is
/// never edited.
public struct FinanceBillsController: Sendable {
    let database: Database
    let bills: AccountBills
    let renderer: PageRenderer
    let settings: BillingSettings
    let routes = Routes.site

    public init(services: AppServices) {
        database = services.database
        bills = AccountBills(database: services.database)
        renderer = services.renderer
        settings = services.config.billing
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.financeBills, use: find)
        site.get(routes.financeBill, use: show)
        site.post(routes.financeBillCredit, use: credit)
    }

    @Sendable func find(_ request: Request, context: StaffContext) async throws -> Response {
        guard let typed = QueryForm(request)["number"].map({ String($0.prefix(40)) }), !typed.isEmpty else {
            return try renderer.response(FindBillPage(chrome: context.chrome, number: FormField()))
        }
        let number = Self.normalised(typed)
        let found = try await database.query("SELECT 1 FROM bills WHERE number = $1", [number]).rows
        guard found.isEmpty else { return .redirect(to: routes.financeBill.url(number), type: .normal) }
        return try renderer.response(
            FindBillPage(chrome: context.chrome, number: FormField(typed, error: "No issued bill has the number \(number).")),
            status: .notFound)
    }

    @Sendable func show(_ request: Request, context: StaffContext) async throws -> Response {
        try await page(context, notice: try await context.sessionHandle.takeFlash())
    }

    struct CreditInput: Decodable {
        var reason: String?
        /// The checkbox: present when a new bill for the month is wanted.
        var rebill: String?
    }

    @Sendable func credit(_ request: Request, context: StaffContext) async throws -> Response {
        let input = try await request.decode(as: CreditInput.self, context: context)
        let number = Self.normalised(context.parameters.get("bill") ?? "")
        do {
            let note = try await IssueCreditNote(database: database, settings: settings).run(
                billNumber: number, reason: input.reason ?? "", rebill: input.rebill != nil, by: context.member.id,
                clientAddress: context.clientAddress)
            let cancelled = "Credit note \(note.number) cancels bill \(note.billNumber): \(settings.currency.format(note.amount)) is off the balance"
            if let replacement = note.replacement {
                try await context.sessionHandle.flash(
                    "\(cancelled). This is the corrected bill, \(replacement.number), for \(settings.currency.format(replacement.total)). The consumer is told."
                )
                return .redirect(to: routes.financeBill.url(replacement.number), type: .normal)
            }
            try await context.sessionHandle.flash("\(cancelled), and the consumer is told.")
            return .redirect(to: routes.financeBill.url(number), type: .normal)
        } catch let refused as IssueCreditNote.Refused {
            switch refused {
            case .noSuchBill: throw NotFound("bill")
            case .reasonMissing, .reasonTooLong:
                return try await page(
                    context, reason: FormField(input.reason, error: refused.description), rebill: input.rebill != nil, status: .unprocessableContent)
            case .laterMonthBilled, .cannotPrice:
                return try await page(
                    context, reason: FormField(input.reason), rebill: true, rebillError: refused.description, status: .unprocessableContent)
            case .alreadyCredited: return try await page(context, notice: refused.description, status: .conflict)
            }
        }
    }

    private func page(
        _ context: StaffContext, notice: String? = nil, reason: FormField = FormField(), rebill: Bool = false, rebillError: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let number = Self.normalised(context.parameters.get("bill") ?? "")
        let bill = try await bills.detail(number: number)
        var page = BillShow(bill: bill, currency: settings.currency, back: (routes.financeBills.url(), "Find another bill"), chrome: context.chrome)
        page.notice = notice
        page.heading = "Bill for \(bill.summary.period.name)"
        page.showDisputes(try await Dispute.of(billNumber: bill.summary.number, in: database), currency: settings.currency)
        if bill.summary.creditNote == nil {
            page.creditForm = .init(action: routes.financeBillCredit.url(number), reason: reason, rebill: rebill, rebillError: rebillError)
        }
        return try renderer.response(page, status: status)
    }

    /// Numbers are printed in capitals; people type them any way.
    static func normalised(_ typed: String) -> String {
        typed.trimmingCharacters(in: .whitespaces).uppercased()
    }
}

/// The model of `billing/find-bill.mustache`.
struct FindBillPage: Page {
    static let template = "billing/find-bill"
    let chrome: Chrome
    let title = "Find a bill"
    let number: FormField
}
