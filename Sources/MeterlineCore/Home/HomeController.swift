import Hummingbird

/// The public front pages: what a customer can do here, and honest "opening soon" pages for
/// sign-in and registration until the identity work lands.
public struct HomeController: Sendable {
    // The same for every visitor: rendered once at start, which also proves the templates load.
    let index: PrerenderedPage
    let login: PrerenderedPage
    let register: PrerenderedPage

    public init(renderer: PageRenderer) throws {
        index = try renderer.prerender(HomeIndex())
        login = try renderer.prerender(HomeComing.login)
        register = try renderer.prerender(HomeComing.register)
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        let paths = Paths()
        router.get(RouterPath(paths.home)) { _, _ in index.response() }
        router.get(RouterPath(paths.login)) { _, _ in login.response() }
        router.get(RouterPath(paths.register)) { _, _ in register.response() }
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

    struct Task: Encodable, Sendable {
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
