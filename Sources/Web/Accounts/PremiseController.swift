import Accounts
import Billing
import Foundation
import Hummingbird
import Identity
import Metering
import Notifications
import Payments
import Platform
import Prepaid

/// /account/premises/:number (MT-1, TN-1, TN-2): a consumer's premise: its use, and for the
/// owner its tenants. A premise the consumer neither owns nor rents is a 404, like one that
/// does not exist.
public struct PremiseController: Sendable {
    let database: Database
    let access: PremiseAccess
    let usage: PremiseUsage
    let addTenant: AddTenant
    let endTenancy: EndTenancy
    let bills: AccountBills
    let payments: AccountPayments
    let currency: Currency
    let renderer: PageRenderer
    let routes = Routes.site

    public init(services: AppServices) {
        database = services.database
        access = PremiseAccess(database: services.database)
        usage = PremiseUsage(database: services.database)
        addTenant = AddTenant(database: services.database)
        endTenancy = EndTenancy(database: services.database)
        bills = AccountBills(database: services.database)
        payments = AccountPayments(database: services.database)
        currency = services.config.billing.currency
        renderer = services.renderer
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.premise, use: show)
        site.post(routes.premiseTenants, use: submitTenant)
        site.post(routes.endTenancy, use: submitEnd)
    }

    private func page(
        _ grant: PremiseAccess.Grant, _ context: ConsumerContext, form: AccountPremise.TenantForm? = nil, notice: String? = nil
    ) async throws -> AccountPremise {
        let userID = context.consumer.id
        // The table lists exactly the periods the chart draws.
        let readings = try await usage.readings(grant, userID: userID, limit: 12)
        let overview = try await bills.overview(grant)
        let prepaidMeters = grant.isOwner ? try await PrepaidTokens(database: database).meters(of: grant.accountID) : []
        return AccountPremise(
            chrome: context.chrome, title: grant.supplyAddress, accountNumber: grant.accountNumber,
            supplyAddress: grant.supplyAddress,
            isOwner: grant.isOwner, visibleFrom: grant.isOwner ? nil : grant.from, visibleTo: grant.isOwner ? nil : grant.to,
            readings: readings, hasReadings: !readings.isEmpty, chart: UsageChart(readings: readings),
            tenancies: grant.isOwner ? try await usage.tenancies(accountID: grant.accountID) : [],
            lease: grant.isOwner ? nil : try await usage.openLease(accountID: grant.accountID, tenantID: userID),
            form: form ?? .init(tenant: FormField(), start: FormField(CalendarDay.today(database.clock))), notice: notice,
            addTenantAction: routes.premiseTenants.url(grant.accountNumber),
            buyLink: prepaidMeters.isEmpty ? nil : routes.prepaid.url(grant.accountNumber),
            balance: overview.balance.map(currency.balance),
            lastBill: overview.bills.first(where: { $0.creditNote == nil }).map {
                AccountPremise.LastBill(amount: currency.format($0.total), dueOn: BillShow.day($0.dueOn))
            },
            bills: overview.bills.map {
                AccountPremise.BillRow(
                    link: routes.bill.url($0.number), month: $0.period.name, number: $0.number, units: $0.units, amount: currency.format($0.total),
                    estimated: $0.estimated, creditNote: $0.creditNote,
                    status: AccountPremise.BillRow.status(of: $0, currency: currency))
            }, hasBills: !overview.bills.isEmpty, showStatus: grant.isOwner,
            payments: grant.isOwner
                ? try await payments.recent(accountID: grant.accountID, limit: 6).map {
                    AccountPremise.PaymentRow(
                        link: routes.payment.url(String($0.id)), when: $0.createdText, amount: currency.format($0.amount), how: $0.method.title,
                        status: AccountPremise.PaymentRow.status($0.status))
                } : [])
    }

    @Sendable func show(_ request: Request, context: ConsumerContext) async throws -> Response {
        guard let grant = try await access.grant(userID: context.consumer.id, accountNumber: context.parameters.get("number") ?? "") else {
            throw PageError.notFound
        }
        let notice = try await context.sessionHandle.takeFlash()
        return try renderer.response(try await page(grant, context, notice: notice))
    }

    struct TenantInput: Decodable {
        var tenant: String?
        var start: String?
        var tenancy: String?
    }

    @Sendable func submitTenant(_ request: Request, context: ConsumerContext) async throws -> Response {
        let number = context.parameters.get("number") ?? ""
        guard let grant = try await access.grant(userID: context.consumer.id, accountNumber: number), grant.isOwner else { throw PageError.notFound }
        let input = try await request.decode(as: TenantInput.self, context: context)
        do {
            try await addTenant.run(
                ownerID: context.consumer.id, accountNumber: number, tenant: input.tenant, startsOn: input.start, clientAddress: context.clientAddress
            )
            try await context.sessionHandle.flash("Tenant added. They can now see this premise's use from the day the lease starts.")
            return .redirect(to: routes.premise.url(number), type: .normal)
        } catch let refused as AddTenant.Refused {
            var form = AccountPremise.TenantForm(tenant: FormField(input.tenant), start: FormField(input.start))
            switch refused.field {
            case .tenant: form.tenant.error = refused.message
            case .start: form.start.error = refused.message
            }
            return try renderer.response(try await page(grant, context, form: form), status: .unprocessableContent)
        }
    }

    @Sendable func submitEnd(_ request: Request, context: ConsumerContext) async throws -> Response {
        let input = try await request.decode(as: TenantInput.self, context: context)
        guard let id = Int64(input.tenancy ?? "") else { throw PageError.badRequest }
        guard try await endTenancy.run(tenancyID: id, by: context.consumer.id, clientAddress: context.clientAddress) else {
            throw PageError.notFound
        }
        return .redirect(to: routes.account.url(), type: .normal)
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
    /// The owner of a premise with a prepaid meter buys electricity there (BL-8).
    let buyLink: String?
    /// The owner's balance (tenants do not see it), the latest bill, and the bills of the last two years.
    let balance: String?
    let lastBill: LastBill?
    let bills: [BillRow]
    let hasBills: Bool
    /// The owner sees what is paid of each bill, and the account's latest payments.
    let showStatus: Bool
    let payments: [PaymentRow]

    struct LastBill: Encodable, Sendable {
        let amount: String
        let dueOn: String
    }

    struct BillRow: Encodable, Sendable {
        let link: String
        let month: String
        let number: String
        let units: Int64
        let amount: String
        let estimated: Bool
        let creditNote: String?
        /// The owner's: "Paid", "£12.40 to pay", "Disputed".
        let status: String?

        static func status(of bill: AccountBills.Summary, currency: Currency) -> String? {
            guard bill.creditNote == nil, let open = bill.open else { return nil }
            if bill.disputed { return "Disputed" }
            if open == .zero { return "Paid" }
            return open == bill.total ? "To pay" : "\(currency.format(open)) to pay"
        }
    }

    struct PaymentRow: Encodable, Sendable {
        let link: String
        let when: String
        let amount: String
        let how: String
        let status: String

        static func status(_ status: Payment.Status) -> String {
            switch status {
            case .pending: "Pending"
            case .succeeded: "Paid"
            case .failed: "Not taken"
            case .reversed: "Reversed"
            case .awaitingVerification: "Being checked"
            case .rejected: "Rejected"
            }
        }
    }

    struct TenantForm: Encodable, Sendable {
        var tenant: FormField
        var start: FormField
    }
}
