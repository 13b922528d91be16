import Hummingbird

/// The public front pages: what a customer can do here, and honest "opening soon" pages for
/// sign-in and registration until the identity work lands.
public struct HomeController: Sendable {
    let renderer: PageRenderer

    public init(renderer: PageRenderer) {
        self.renderer = renderer
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        let paths = Paths()
        router.get(RouterPath(paths.home), use: index)
        router.get(RouterPath(paths.login)) { _, _ in try renderer.response(HomeComing.login) }
        router.get(RouterPath(paths.register)) { _, _ in try renderer.response(HomeComing.register) }
    }

    @Sendable func index(_ request: Request, context: AppRequestContext) throws -> Response {
        try renderer.response(HomeIndex())
    }
}

/// The home page: what a consumer can do here.
struct HomeIndex: Page {
    static let template = "home/index"
    let chrome = Chrome()
    let title = "Your electricity account, online"
    let tasks: [Task] = [
        Task(heading: "See your usage", text: "Your meter readings and monthly consumption, compared with last year."),
        Task(heading: "View and pay bills", text: "Every bill, printable, and secure online payment."),
        Task(heading: "Report a problem", text: "Raise a complaint or a fault and follow it until it is fixed."),
        Task(heading: "Manage your property", text: "Add a tenant, change how we contact you, and more."),
    ]

    struct Task: Sendable {
        let heading: String
        let text: String
    }
}

/// A page for a feature that is not open yet; says so plainly instead of pretending.
struct HomeComing: Page {
    static let template = "home/coming"
    let chrome = Chrome()
    let title: String
    let message: String

    static let login = HomeComing(
        title: "Sign in",
        message: "Online sign-in opens soon. Until then, your bills and payments work as they do today.")
    static let register = HomeComing(
        title: "Register",
        message: "Online registration opens soon. You will need the account number printed on your paper bill and "
            + "the mobile number we have on file for you.")
}
