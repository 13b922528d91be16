import Hummingbird

/// Turns every error into a page with the right status (400, 403, 404, 500, 503 …); never a stack
/// trace. Unexpected errors are logged with the request id, which the page shows as a reference.
public struct ErrorPageMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let renderer: PageRenderer

    public init(renderer: PageRenderer) {
        self.renderer = renderer
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

    private func classify(_ error: any Error, context: Context) -> PageError {
        switch error {
        case let page as PageError:
            return page
        case let http as any HTTPResponseError:
            return PageError.forStatus(http.status)
        case let database as DatabaseError where database.kind == .connection:
            return .unavailable
        default:
            return .internalError
        }
    }
}
