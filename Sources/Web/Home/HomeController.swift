import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// The public home page: what a customer can do here.
public struct HomeController: Sendable {
    let renderer: PageRenderer
    // The same for every anonymous visitor: rendered once at start, which also proves the templates load.
    let anonymous: PrerenderedPage

    public init(renderer: PageRenderer) throws {
        self.renderer = renderer
        anonymous = try renderer.prerender(HomeIndex())
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(Routes.site.home, use: index)
    }

    @Sendable func index(_ request: Request, context: AppRequestContext) async throws -> Response {
        // Only a browser with a session cookie can be signed in; the rest get the prerendered page.
        guard request.cookies[SessionMiddleware.cookieName] != nil, let session = try await context.session?.current(),
            session.userID != nil
        else { return anonymous.response() }
        return try renderer.response(HomeIndex(chrome: Chrome(user: "your account", csrfToken: session.csrfToken)))
    }
}

/// The home page: what a consumer can do here.
struct HomeIndex: Page {
    static let template = "home/index"
    var chrome = Chrome()
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
