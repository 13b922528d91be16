import Foundation
import Hummingbird
import Payments
import Platform

/// /finance/reconcile (BL-5): finance uploads the gateway's settlement CSV and sees which
/// payments match, which differ, which are missing from the file and which it did not expect.
public struct ReconcileController: Sendable {
    let reconcile: ReconcileSettlement
    let renderer: PageRenderer
    let currency: Currency
    let routes = Routes.site

    public init(services: AppServices, gateway: any PaymentGateway) {
        reconcile = ReconcileSettlement(
            database: services.database, gatewayName: gateway.name, currency: services.config.billing.currency)
        renderer = services.renderer
        currency = services.config.billing.currency
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.financeReconcile, use: show)
        site.post(routes.financeReconcile, use: upload)
    }

    @Sendable func show(_ request: Request, context: StaffContext) async throws -> Response {
        try renderer.response(ReconcilePage(chrome: context.chrome))
    }

    @Sendable func upload(_ request: Request, context: StaffContext) async throws -> Response {
        let form = try await MultipartForm.read(request, context: context, limit: context.maxUploadSize)
        var page = ReconcilePage(chrome: context.chrome)
        guard let file = form["file"], !file.data.isEmpty else {
            page.problem = "Choose the gateway's settlement file (CSV) to compare."
            return try renderer.response(page, status: .unprocessableContent)
        }
        guard let text = file.text else {
            page.problem = "This file is not text (UTF-8). Download the settlement report again as CSV."
            return try renderer.response(page, status: .unprocessableContent)
        }
        do {
            let result = try await reconcile.run(csv: text)
            page.result = ReconcilePage.Outcome(result, currency: currency, routes: routes)
            return try renderer.response(page)
        } catch let refused as ReconcileSettlement.Refused {
            page.problem = refused.description
            if case .lines(let problems) = refused {
                page.lineErrors = problems.prefix(200).map { .init(line: $0.line, message: $0.message) }
            }
            return try renderer.response(page, status: .unprocessableContent)
        }
    }
}

/// The model of `payments/reconcile.mustache`.
struct ReconcilePage: Page {
    static let template = "payments/reconcile"
    let chrome: Chrome
    let title = "Reconcile the gateway's settlement"
    var problem: String?
    var lineErrors: [LineError] = [] {
        didSet { hasLineErrors = !lineErrors.isEmpty }
    }
    private(set) var hasLineErrors = false
    var result: Outcome?

    init(chrome: Chrome) {
        self.chrome = chrome
    }

    struct LineError: Encodable, Sendable {
        let line: Int
        let message: String
    }

    struct Outcome: Encodable, Sendable {
        let period: String
        let summary: String
        let allMatched: Bool
        let groups: [Group]

        init(_ result: ReconcileSettlement.Result, currency: Currency, routes: Routes) {
            period =
                result.from == result.to ? "Settled on \(result.from)" : "Settled from \(result.from) to \(result.to)"
            let format: (Money?) -> String = { $0.map(currency.format) ?? "—" }
            let rows: ([ReconcileSettlement.Entry]) -> [Row] = { entries in
                entries.map {
                    Row(
                        checkout: $0.checkout, account: $0.accountNumber ?? "—", receipt: $0.receiptNumber ?? "—", credited: format($0.credited),
                        settled: format($0.settled), settledOn: $0.settledOn ?? "—")
                }
            }
            groups = [
                Group(
                    title: "Paid a different amount", hint: "The gateway settled another amount than Meterline credited: ask the gateway.",
                    rows: rows(result.differentAmount)),
                Group(
                    title: "Missing from the file",
                    hint: "Credited here in these days, but the gateway does not list it: it may settle later, or was never paid.",
                    rows: rows(result.missing)),
                Group(
                    title: "Not expected", hint: "In the file, but never credited here (unknown, still pending, failed or reversed).",
                    rows: rows(result.unexpected)),
                Group(title: "Matched", hint: "Credited here and settled for the same amount.", rows: rows(result.matched)),
            ].filter { !$0.rows.isEmpty }
            allMatched = result.differentAmount.isEmpty && result.missing.isEmpty && result.unexpected.isEmpty
            summary =
                "\(result.matched.count) matched, \(result.differentAmount.count) with a different amount, \(result.missing.count) missing from the file, \(result.unexpected.count) not expected."
        }
    }

    struct Group: Encodable, Sendable {
        let title: String
        let hint: String
        let rows: [Row]
    }

    struct Row: Encodable, Sendable {
        let checkout: String
        let account: String
        let receipt: String
        let credited: String
        let settled: String
        let settledOn: String
    }
}
