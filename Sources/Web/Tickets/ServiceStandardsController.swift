import Foundation
import Hummingbird
import Platform
import Tickets

/// /admin/service-standards (TK-3): each category's target days in towns and villages and the
/// compensation per day late, and which areas are rural. Applies to tickets raised afterwards.
public struct ServiceStandardsController: Sendable {
    let standards: ServiceStandards
    let renderer: PageRenderer
    let currency: Currency
    let routes = Routes.site

    public init(services: AppServices) {
        standards = ServiceStandards(database: services.database)
        renderer = services.renderer
        currency = services.config.billing.currency
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.serviceStandards, use: show)
        site.post(routes.serviceStandards, use: save)
    }

    @Sendable func show(_ request: Request, context: StaffContext) async throws -> Response {
        let rows = try await standards.all().map {
            ServiceStandardsPage.Row(
                category: $0.category.rawValue, title: $0.category.title, urban: String($0.urbanDays), rural: String($0.ruralDays),
                compensation: currency.plain($0.compensationPerDay), error: nil)
        }
        return try renderer.response(
            ServiceStandardsPage(
                chrome: context.chrome, notice: try await context.sessionHandle.takeFlash(), rows: rows,
                ruralAreas: FormField(try await standards.ruralAreas().joined(separator: "\n")), action: routes.serviceStandards.url()))
    }

    @Sendable func save(_ request: Request, context: StaffContext) async throws -> Response {
        let fields = try await request.decode(as: [String: String].self, context: context)
        var rows: [ServiceStandardsPage.Row] = []
        var parsed: [ServiceStandards.Standard] = []
        for category in TicketCategory.allCases {
            let urban = fields["\(category.rawValue).urban"] ?? ""
            let rural = fields["\(category.rawValue).rural"] ?? ""
            let compensation = fields["\(category.rawValue).compensation"] ?? ""
            var error: String?
            if let urbanDays = Int(urban.trimmingCharacters(in: .whitespaces)), let ruralDays = Int(rural.trimmingCharacters(in: .whitespaces)) {
                if let amount = currency.parse(compensation.trimmingCharacters(in: .whitespaces)) {
                    parsed.append(.init(category: category, urbanDays: urbanDays, ruralDays: ruralDays, compensationPerDay: amount))
                } else {
                    error = "Compensation is an amount such as \(currency.plain(Money(minorUnits: 5000)))."
                }
            } else {
                error = "Targets are whole days from 1 to 365."
            }
            rows.append(
                .init(category: category.rawValue, title: category.title, urban: urban, rural: rural, compensation: compensation, error: error))
        }
        let areas = (fields["rural_areas"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        do {
            guard parsed.count == TicketCategory.allCases.count else { throw ServiceStandards.Invalid(problems: ServiceStandards.problems(parsed)) }
            try await standards.save(
                parsed, ruralAreas: areas.split(separator: "\n").map(String.init), by: context.member.id, clientAddress: context.clientAddress)
            try await context.sessionHandle.flash("Service standards saved. They apply to tickets raised from now on.")
            return .redirect(to: routes.serviceStandards.url(), type: .normal)
        } catch let invalid as ServiceStandards.Invalid {
            rows = rows.map { row in
                var row = row
                if row.error == nil, let category = TicketCategory(rawValue: row.category) { row.error = invalid.problems[category] }
                return row
            }
            return try renderer.response(
                ServiceStandardsPage(
                    chrome: context.chrome, notice: nil, rows: rows, ruralAreas: FormField(areas, error: invalid.areas),
                    action: routes.serviceStandards.url()),
                status: .unprocessableContent)
        }
    }
}

/// The model of `tickets/standards.mustache`.
struct ServiceStandardsPage: Page {
    static let template = "tickets/standards"
    let chrome: Chrome
    let title = "Service standards"
    let notice: String?
    let rows: [Row]
    let ruralAreas: FormField
    let action: String

    struct Row: Encodable, Sendable {
        let category: String
        let title: String
        let urban: String
        let rural: String
        let compensation: String
        var error: String?
    }
}
