import Billing
import Hummingbird
import Platform

/// /admin/tariffs (BL-1): each category's tariff and every version of it, in words. Versions are
/// read-only here; creating one from a form with a preview of sample bills is still to come.
public struct TariffsController: Sendable {
    let book: TariffBook
    let renderer: PageRenderer
    let currency: Currency
    let routes = Routes.site

    public init(services: AppServices) {
        book = TariffBook(database: services.database)
        renderer = services.renderer
        currency = services.config.billing.currency
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.adminTariffs, use: index)
    }

    @Sendable func index(_ request: Request, context: StaffContext) async throws -> Response {
        let versions = try await book.all()
        var categories: [TariffsIndex.Category] = []
        for version in versions {
            let entry = TariffsIndex.Version(
                effectiveFrom: BillShow.day(version.effectiveFrom.description), rules: version.rules.sentences(in: currency))
            let category = version.category.firstCapitalised
            if let last = categories.last, last.category == category {
                categories[categories.count - 1].versions.append(entry)
            } else {
                categories.append(
                    .init(
                        category: category, name: version.tariffName, versions: [entry])
                )
            }
        }
        return try renderer.response(TariffsIndex(chrome: context.chrome, categories: categories))
    }
}

/// The model of `billing/tariffs.mustache`.
struct TariffsIndex: Page {
    static let template = "billing/tariffs"
    let chrome: Chrome
    let title = "Tariffs"
    let categories: [Category]

    struct Category: Encodable, Sendable {
        let category: String
        let name: String
        var versions: [Version]
    }

    struct Version: Encodable, Sendable {
        let effectiveFrom: String
        let rules: [String]
    }
}
