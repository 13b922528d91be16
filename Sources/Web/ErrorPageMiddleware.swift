import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// Turns every error into a page with the right status (400, 403, 404, 500, 503 …); never a stack
/// trace. Unexpected errors are logged with the request id, which the page shows as a reference.
public struct ErrorPageMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let renderer: PageRenderer
    let sessions: SessionStore

    public init(renderer: PageRenderer, sessions: SessionStore) {
        self.renderer = renderer
        self.sessions = sessions
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let page = classify(error, context: context)
            var reference: String?
            if page.status.code >= 500 {
                reference = context.id
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            let model = ErrorShow(
                chrome: await chrome(request, status: page.status),
                title: page.heading, heading: page.heading, message: page.message, status: page.status.code,
                reference: reference)
            var response: Response
            do {
                response = try renderer.response(model, status: page.status)
            } catch {
                context.logger.error("error page failed to render", metadata: ["error": "\(error)"])
                response = PageRenderer.html("<!doctype html><title>\(page.status.code)</title><h1>\(page.status.code)</h1>", status: page.status)
            }
            if let seconds = page.retryAfter { response.headers[.retryAfter] = String(seconds) }
            return response
        }
    }

    /// A signed-in person keeps their name, home link and sign-out on an error page. When the
    /// database is what failed, the page goes without.
    /// This middleware sits outside the session's, so it reads the cookie itself.
    private func chrome(_ request: Request, status: HTTPResponse.Status) async -> Chrome {
        guard status != .serviceUnavailable, let token = request.cookies[SessionMiddleware.cookieName]?.value,
            let session = try? await sessions.load(token: token), let login = session.login
        else { return Chrome() }
        return Chrome(user: login.fullName, csrfToken: session.csrfToken, staff: login.kind == .staff)
    }

    private func classify(_ error: any Error, context: Context) -> PageError {
        switch error {
        case let page as PageError:
            return page
        case is NotFound:
            return .notFound
        case let http as any HTTPResponseError:
            return PageError.forStatus(http.status)
        case let database as DatabaseError where database.kind == .connection:
            return .unavailable
        case let database as DatabaseError where database.kind == .busy || database.isTimeout:
            context.logger.warning("request gave up on the database", metadata: ["error": "\(database)"])
            return .busy
        default:
            return .internalError
        }
    }
}
