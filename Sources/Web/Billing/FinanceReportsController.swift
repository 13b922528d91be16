import Billing
import Hummingbird
import Platform

/// /finance/reports (BL-9): billed against collected by month, arrears by age, and a month's use
/// and revenue by category and area; each table also as CSV, with the same figures.
public struct FinanceReportsController: Sendable {
    let database: Database
    let reports: FinanceReports
    let renderer: PageRenderer
    let currency: Currency
    let routes = Routes.site

    public init(services: AppServices) {
        database = services.database
        reports = FinanceReports(database: services.database)
        renderer = services.renderer
        currency = services.config.billing.currency
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.financeReports, use: index)
        site.get(routes.financeReportsCSV, use: csv)
    }

    /// The month asked for, or last month.
    private func period(_ request: Request) -> BillingPeriod {
        request.uri.queryParameters.get("period").flatMap { BillingPeriod($0) }
            ?? BillingPeriod.current(database.clock).previous
    }

    struct Tables {
        let months: [FinanceReports.MonthLine]
        let ageing: [(age: String, amount: Money)]
        let usage: (byCategory: [FinanceReports.UsageLine], byArea: [FinanceReports.UsageLine])
    }

    /// The queries run side by side, each on its own pooled connection: the page waits for the
    /// slowest, not for their sum.
    private func tables(_ period: BillingPeriod) async throws -> Tables {
        async let months = reports.billedAndCollected()
        async let aged = reports.arrearsByAge()
        async let usage = reports.usage(in: period)
        return Tables(months: try await months, ageing: try await aged, usage: try await usage)
    }

    @Sendable func index(_ request: Request, context: StaffContext) async throws -> Response {
        let period = period(request)
        let tables = try await tables(period)
        func usage(_ line: FinanceReports.UsageLine) -> FinanceReportsPage.Usage {
            .init(
                name: line.name.firstCapitalised, accounts: DecimalText.grouped(Int64(line.accounts)), units: DecimalText.grouped(line.units),
                revenue: currency.format(line.revenue))
        }
        return try renderer.response(
            FinanceReportsPage(
                chrome: context.chrome,
                months: tables.months.map {
                    .init(
                        month: $0.period.name, bills: DecimalText.grouped(Int64($0.bills)), billed: currency.format($0.billed),
                        credited: currency.format($0.credited),
                        lateFees: currency.format($0.lateFees),
                        collected: currency.format($0.collected), prepaidSold: currency.format($0.prepaidSold))
                },
                billedTotal: currency.format(tables.months.map(\.billed).sum()),
                creditedTotal: currency.format(tables.months.map(\.credited).sum()),
                collectedTotal: currency.format(tables.months.map(\.collected).sum()),
                prepaidSoldTotal: currency.format(tables.months.map(\.prepaidSold).sum()),
                buckets: tables.ageing.map(\.age),
                aged: tables.ageing.map { currency.format($0.amount) },
                owedInAll: currency.format(tables.ageing.map(\.amount).sum()),
                period: period.description, periodName: period.name,
                byCategory: tables.usage.byCategory.map(usage), byArea: tables.usage.byArea.map(usage),
                csv: [
                    ("billed", "Billed and collected"), ("ageing", "Arrears by age"), ("usage", "Use and revenue of \(period.name)"),
                ].map { .init(title: $0.1, link: routes.financeReportsCSV.url(query: [("report", $0.0), ("period", period.description)])) }))
    }

    /// One report as CSV: only its own queries run.
    @Sendable func csv(_ request: Request, context: StaffContext) async throws -> Response {
        let report = request.uri.queryParameters.get("report") ?? "billed"
        let body: String
        switch report {
        case "ageing":
            body = CSVWriter.document(header: ["age", "amount"], rows: try await reports.arrearsByAge().map { [$0.age, currency.plain($0.amount)] })
        case "usage":
            let usage = try await reports.usage(in: period(request))
            body = CSVWriter.document(
                header: ["grouping", "name", "accounts", "units", "revenue"],
                rows: usage.byCategory.map { ["category", $0.name, String($0.accounts), String($0.units), currency.plain($0.revenue)] }
                    + usage.byArea.map { ["area", $0.name, String($0.accounts), String($0.units), currency.plain($0.revenue)] })
        default:
            body = CSVWriter.document(
                header: ["month", "bills", "billed", "credited", "late_fees", "collected", "prepaid_sold"],
                rows: try await reports.billedAndCollected().map {
                    [
                        $0.period.description, String($0.bills), currency.plain($0.billed), currency.plain($0.credited),
                        currency.plain($0.lateFees), currency.plain($0.collected), currency.plain($0.prepaidSold),
                    ]
                })
        }
        return .csv(body, filename: "meterline-\(["ageing", "usage"].contains(report) ? report : "billed").csv")
    }
}

/// The model of `billing/reports.mustache`.
struct FinanceReportsPage: Page {
    static let template = "billing/reports"
    let chrome: Chrome
    let title = "Finance reports"
    let months: [Month]
    let billedTotal: String
    let creditedTotal: String
    let collectedTotal: String
    let prepaidSoldTotal: String
    let buckets: [String]
    let aged: [String]
    let owedInAll: String
    let period: String
    let periodName: String
    let byCategory: [Usage]
    let byArea: [Usage]
    let csv: [Download]

    struct Month: Encodable, Sendable {
        let month: String
        let bills: String
        let billed: String
        let credited: String
        let lateFees: String
        let collected: String
        let prepaidSold: String
    }

    struct Usage: Encodable, Sendable {
        let name: String
        let accounts: String
        let units: String
        let revenue: String
    }

    struct Download: Encodable, Sendable {
        let title: String
        let link: String
    }
}
