import Hummingbird

/// The consumer's home after sign-in. Billing and consumption fill it in later; for now it
/// says which utility account is linked.
public struct AccountController: Sendable {
    let database: Database
    let renderer: PageRenderer

    public init(database: Database, renderer: PageRenderer) {
        self.database = database
        self.renderer = renderer
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(Paths().account), use: home)
    }

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let session = try await context.session?.current(), let userID = session.userID else {
            return .redirect(to: Paths().login, type: .normal)
        }
        guard let row = try await database.query(
            """
            SELECT u.full_name, u.username, a.account_number, a.supply_address
            FROM users u LEFT JOIN accounts a ON a.id = u.account_id
            WHERE u.id = $1 AND u.status = 'active'
            """, [userID]
        ).rows.first else {
            return .redirect(to: Paths().login, type: .normal)
        }
        let fullName: String = try row.decode("full_name")
        return try renderer.response(AccountHome(
            chrome: Chrome(user: fullName, csrfToken: session.csrfToken), fullName: fullName, username: try row.decode("username"),
            accountNumber: try row.decode("account_number"), supplyAddress: try row.decode("supply_address")))
    }
}

/// The model of `account/home.mustache`.
struct AccountHome: Page {
    static let template = "account/home"
    let chrome: Chrome
    let title = "Your account"
    let fullName: String
    let username: String
    let accountNumber: String?
    let supplyAddress: String?
}
