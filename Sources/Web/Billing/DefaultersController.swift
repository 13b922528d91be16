import Billing
import Hummingbird
import Platform

/// /finance/defaulters (BL-6): who owes on overdue bills, aged, filtered by area, and as CSV.
public struct DefaultersController: Sendable {
    let defaulters: Defaulters
    let renderer: PageRenderer
    let currency: Currency
    let routes = Routes.site

    public init(services: AppServices) {
        defaulters = Defaulters(database: services.database)
        renderer = services.renderer
        currency = services.config.billing.currency
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.defaulters, use: index)
        site.get(routes.defaultersCSV, use: csv)
    }

    /// The area asked for, if it is one there is; anything else means every area.
    private func area(_ request: Request, among areas: [String]) -> String? {
        request.uri.queryParameters.get("area").flatMap { areas.contains($0) ? $0 : nil }
    }

    @Sendable func index(_ request: Request, context: StaffContext) async throws -> Response {
        let areas = try await defaulters.areas()
        let area = area(request, among: areas)
        let page = try await defaulters.list(area: area)
        return try renderer.response(
            DefaultersIndex(
                chrome: context.chrome,
                areas: areas.map { .init(name: $0, selected: $0 == area) },
                rows: page.rows.map {
                    .init(
                        accountNumber: $0.accountNumber, holderName: $0.holderName, area: $0.area, balance: currency.format($0.balance),
                        daysOverdue: $0.daysOverdue, aged: $0.aged.map(currency.format))
                },
                count: DecimalText.grouped(Int64(page.count)), more: page.count > page.rows.count, totalOwed: currency.format(page.totalOwed),
                totalAged: page.totalAged.map(currency.format), buckets: Defaulters.buckets,
                csvLink: routes.defaultersCSV.url(query: area.map { [("area", $0)] } ?? [])))
    }

    @Sendable func csv(_ request: Request, context: StaffContext) async throws -> Response {
        let area = area(request, among: try await defaulters.areas())
        let page = try await defaulters.list(area: area, limit: nil)
        let body = CSVWriter.document(
            header: [
                "account_number", "holder", "area", "balance", "days_overdue", "overdue_1_30", "overdue_31_60", "overdue_61_90", "overdue_over_90",
            ],
            rows: page.rows.map {
                [$0.accountNumber, $0.holderName, $0.area, currency.plain($0.balance), String($0.daysOverdue)] + $0.aged.map(currency.plain)
            })
        return .csv(body, filename: "meterline-defaulters.csv")
    }
}

/// The model of `billing/defaulters.mustache`.
struct DefaultersIndex: Page {
    static let template = "billing/defaulters"
    let chrome: Chrome
    let title = "Defaulters"
    let areas: [Area]
    let rows: [Row]
    let count: String
    let more: Bool
    let totalOwed: String
    let totalAged: [String]
    let buckets: [String]
    let csvLink: String

    struct Area: Encodable, Sendable {
        let name: String
        let selected: Bool
    }

    struct Row: Encodable, Sendable {
        let accountNumber: String
        let holderName: String
        let area: String
        let balance: String
        let daysOverdue: Int
        let aged: [String]
    }
}
