import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// /admin/accounts (MT-1): administrators find, create and change utility accounts.
public struct AdminAccountsController: Sendable {
    let find: FindAccounts
    let save: SaveAccount
    let renderer: PageRenderer
    let routes = Routes.site

    public init(services: AppServices) {
        find = FindAccounts(database: services.database)
        save = SaveAccount(database: services.database)
        renderer = services.renderer
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.adminAccounts, use: index)
        site.post(routes.adminAccounts, use: create)
        site.get(routes.adminAccount, use: edit)
        site.post(routes.adminAccount, use: update)
    }

    struct Input: Decodable {
        var accountNumber: String?
        var holderName: String?
        var supplyAddress: String?
        var area: String?
        var category: String?
        var billingType: String?
        var status: String?
        var mobile: String?

        enum CodingKeys: String, CodingKey {
            case area, category, status, mobile
            case accountNumber = "account_number"
            case holderName = "holder_name"
            case supplyAddress = "supply_address"
            case billingType = "billing_type"
        }

        var form: SaveAccount.Form {
            .init(
                accountNumber: accountNumber, holderName: holderName, supplyAddress: supplyAddress, area: area,
                category: category, billingType: billingType, status: status, mobile: mobile)
        }
    }

    @Sendable func index(_ request: Request, context: StaffContext) async throws -> Response {
        let query = QueryForm(request)
        let typed = query["q"]
        var page = AdminAccounts(chrome: context.chrome, query: FormField(typed), form: AccountForm(.init(status: "active")))
        if typed != nil { page.hits = try await find.search(FindAccounts.parse(typed)).map { .init(hit: $0) } }
        page.notice = try await context.sessionHandle.takeFlash()
        return try renderer.response(page)
    }

    @Sendable func create(_ request: Request, context: StaffContext) async throws -> Response {
        let member = context.member
        let input = try await request.decode(as: Input.self, context: context)
        do {
            let number = try await save.create(input.form, by: member.id, clientAddress: context.clientAddress)
            try await context.sessionHandle.flash("Account \(number) created.")
            return .redirect(to: routes.adminAccounts.url(), type: .normal)
        } catch let refused as SaveAccount.Refused {
            let page = AdminAccounts(
                chrome: context.chrome, query: FormField(), form: AccountForm(input.form, problems: refused.problems))
            return try renderer.response(page, status: .unprocessableContent)
        }
    }

    @Sendable func edit(_ request: Request, context: StaffContext) async throws -> Response {
        let number = context.parameters.get("number") ?? ""
        guard let form = try await save.load(accountNumber: number) else { throw PageError.notFound }
        var page = AdminAccountEdit(chrome: context.chrome, accountNumber: number, form: AccountForm(form))
        page.notice = try await context.sessionHandle.takeFlash()
        return try renderer.response(page)
    }

    @Sendable func update(_ request: Request, context: StaffContext) async throws -> Response {
        let member = context.member
        let number = context.parameters.get("number") ?? ""
        let input = try await request.decode(as: Input.self, context: context)
        do {
            guard try await save.update(accountNumber: number, input.form, by: member.id, clientAddress: context.clientAddress)
            else { throw PageError.notFound }
            try await context.sessionHandle.flash("Saved.")
            return .redirect(to: routes.adminAccount.url(number), type: .normal)
        } catch let refused as SaveAccount.Refused {
            let page = AdminAccountEdit(
                chrome: context.chrome, accountNumber: number, form: AccountForm(input.form, problems: refused.problems))
            return try renderer.response(page, status: .unprocessableContent)
        }
    }
}

/// The account form's fields as the page shows them, with the choices of each select.
struct AccountForm: Encodable, Sendable {
    struct Choice: Encodable, Sendable {
        let value: String
        let selected: Bool
    }

    let accountNumber: FormField
    let holderName: FormField
    let supplyAddress: FormField
    let area: FormField
    let mobile: FormField
    let categories: [Choice]
    let billingTypes: [Choice]
    let statuses: [Choice]
    let categoryError: String?
    let billingTypeError: String?
    let statusError: String?

    init(_ form: SaveAccount.Form, problems: [SaveAccount.Field: String] = [:]) {
        accountNumber = FormField(form.accountNumber, error: problems[.accountNumber])
        holderName = FormField(form.holderName, error: problems[.holderName])
        supplyAddress = FormField(form.supplyAddress, error: problems[.supplyAddress])
        area = FormField(form.area, error: problems[.area])
        mobile = FormField(form.mobile, error: problems[.mobile])
        categories = AccountCategory.allCases.map { Choice(value: $0.rawValue, selected: $0.rawValue == form.category) }
        billingTypes = BillingType.allCases.map { Choice(value: $0.rawValue, selected: $0.rawValue == form.billingType) }
        statuses = AccountStatus.allCases.map { Choice(value: $0.rawValue, selected: $0.rawValue == form.status) }
        categoryError = problems[.category]
        billingTypeError = problems[.billingType]
        statusError = problems[.status]
    }
}

/// The model of `admin/accounts.mustache`.
struct AdminAccounts: Page {
    static let template = "admin/accounts"
    let chrome: Chrome
    let title = "Utility accounts"
    var query: FormField
    var hits: [Hit] = []
    let form: AccountForm
    var notice: String?

    struct Hit: Encodable, Sendable {
        let accountNumber: String
        let holderName: String
        let supplyAddress: String
        let link: String

        init(hit: FindAccounts.Hit) {
            accountNumber = hit.accountNumber
            holderName = hit.holderName
            supplyAddress = hit.supplyAddress
            link = Routes.site.adminAccount.url(hit.accountNumber)
        }
    }

    init(chrome: Chrome, query: FormField, form: AccountForm) {
        self.chrome = chrome
        self.query = query
        self.form = form
    }
}

/// The model of `admin/account.mustache`.
struct AdminAccountEdit: Page {
    static let template = "admin/account"
    let chrome: Chrome
    let title: String
    let accountNumber: String
    let form: AccountForm
    var notice: String?
    /// Where the form posts.
    let action: String

    init(chrome: Chrome, accountNumber: String, form: AccountForm) {
        self.chrome = chrome
        self.accountNumber = accountNumber
        action = Routes.site.adminAccount.url(accountNumber)
        self.form = form
        title = "Account \(accountNumber)"
    }
}
