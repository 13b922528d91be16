import Foundation
import Hummingbird

/// /account/premises/:number (MT-1, TN-1, TN-2): a consumer's premise: its use, and for the
/// owner its tenants. A premise the consumer neither owns nor rents is a 404, like one that
/// does not exist.
public struct PremiseController: Sendable {
    let database: Database
    let access: PremiseAccess
    let usage: PremiseUsage
    let addTenant: AddTenant
    let endTenancy: EndTenancy
    let renderer: PageRenderer
    let paths = Paths()

    public init(services: AppServices) {
        database = services.database
        access = PremiseAccess(database: services.database)
        usage = PremiseUsage(database: services.database)
        addTenant = AddTenant(database: services.database)
        endTenancy = EndTenancy(database: services.database)
        renderer = services.renderer
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/account/premises/:number", use: show)
        router.post("/account/premises/:number/tenants", use: submitTenant)
        router.post(RouterPath(paths.endTenancy), use: submitEnd)
    }

    /// The signed-in consumer, or nil (sign in first).
    private func consumer(_ context: AppRequestContext) async throws -> (userID: Int64, name: String, csrf: String)? {
        guard let session = try await context.session?.current(), let userID = session.userID,
            let name: String = try await database.query(
                "SELECT full_name FROM users WHERE id = $1 AND kind = 'consumer' AND status = 'active'", [userID]
            ).rows.first?.decode("full_name")
        else { return nil }
        return (userID, name, session.csrfToken)
    }

    private func page(
        _ grant: PremiseAccess.Grant, userID: Int64, name: String, csrf: String, form: AccountPremise.TenantForm? = nil, notice: String? = nil
    ) async throws -> AccountPremise {
        let readings = try await usage.readings(grant, userID: userID)
        return AccountPremise(
            chrome: Chrome(user: name, csrfToken: csrf), title: grant.supplyAddress, accountNumber: grant.accountNumber,
            supplyAddress: grant.supplyAddress,
            isOwner: grant.isOwner, visibleFrom: grant.isOwner ? nil : grant.from, visibleTo: grant.isOwner ? nil : grant.to,
            readings: readings, hasReadings: !readings.isEmpty, chart: UsageChart(readings: readings),
            tenancies: grant.isOwner ? try await usage.tenancies(accountID: grant.accountID) : [],
            lease: grant.isOwner ? nil : try await usage.openLease(accountID: grant.accountID, tenantID: userID),
            form: form ?? .init(tenant: FormField(), start: FormField(CalendarDay.today())), notice: notice,
            addTenantAction: paths.premiseTenants(grant.accountNumber))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let me = try await consumer(context) else { return .redirect(to: paths.login, type: .normal) }
        guard let grant = try await access.grant(userID: me.userID, accountNumber: context.parameters.get("number") ?? "") else {
            throw PageError.notFound
        }
        let notice = QueryForm(request)["added"] != nil ? "Tenant added. They can now see this premise's use from the day the lease starts." : nil
        return try renderer.response(try await page(grant, userID: me.userID, name: me.name, csrf: me.csrf, notice: notice))
    }

    struct TenantInput: Decodable {
        var tenant: String?
        var start: String?
        var tenancy: String?
    }

    @Sendable func submitTenant(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let me = try await consumer(context) else { throw PageError.notFound }
        let number = context.parameters.get("number") ?? ""
        guard let grant = try await access.grant(userID: me.userID, accountNumber: number), grant.isOwner else { throw PageError.notFound }
        let input = try await request.decode(as: TenantInput.self, context: context)
        do {
            try await addTenant.run(
                ownerID: me.userID, accountNumber: number, tenant: input.tenant, startsOn: input.start, clientAddress: context.clientAddress)
            return .redirect(to: paths.premise(number) + "?added=1", type: .normal)
        } catch let refused as AddTenant.Refused {
            var form = AccountPremise.TenantForm(tenant: FormField(input.tenant), start: FormField(input.start))
            switch refused.field {
            case .tenant: form.tenant.error = refused.message
            case .start: form.start.error = refused.message
            }
            return try renderer.response(
                try await page(grant, userID: me.userID, name: me.name, csrf: me.csrf, form: form), status: .unprocessableContent)
        }
    }

    @Sendable func submitEnd(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let me = try await consumer(context) else { throw PageError.notFound }
        let input = try await request.decode(as: TenantInput.self, context: context)
        guard let id = Int64(input.tenancy ?? ""), try await endTenancy.run(tenancyID: id, by: me.userID, clientAddress: context.clientAddress)
        else { throw PageError.notFound }
        return .redirect(to: paths.account, type: .normal)
    }
}

/// The model of `account/premise.mustache`.
struct AccountPremise: Page {
    static let template = "account/premise"
    let chrome: Chrome
    let title: String
    let accountNumber: String
    let supplyAddress: String
    let isOwner: Bool
    let visibleFrom: String?
    let visibleTo: String?
    let readings: [PremiseUsage.Reading]
    let hasReadings: Bool
    let chart: UsageChart
    let tenancies: [PremiseUsage.Tenancy]
    /// A tenant's open lease, which they may leave.
    let lease: Int64?
    var form: TenantForm
    var notice: String?
    let addTenantAction: String

    struct TenantForm: Encodable, Sendable {
        var tenant: FormField
        var start: FormField
    }
}
