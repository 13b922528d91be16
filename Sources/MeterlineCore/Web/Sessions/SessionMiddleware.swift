import Hummingbird

/// Gives each request a lazily loaded `SessionHandle` and writes the cookie when the session
/// starts, rotates or ends: HttpOnly, SameSite=Lax, Path=/, and Secure when served over TLS.
public struct SessionMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    public static let cookieName = "meterline_session"

    let store: SessionStore
    let servedOverTLS: Bool

    public init(store: SessionStore, servedOverTLS: Bool) {
        self.store = store
        self.servedOverTLS = servedOverTLS
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let handle = SessionHandle(
            store: store, cookieToken: request.cookies[Self.cookieName]?.value, userAgent: request.headers[.userAgent],
            clientAddress: context.clientAddress)
        context.session = handle
        var response = try await next(request, context)
        if let token = handle.cookieChange {
            let secure = servedOverTLS || request.headers[.init("X-Forwarded-Proto")!] == "https"
            if token.isEmpty {
                response.setCookie(
                    Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
            } else {
                response.setCookie(
                    Cookie(name: Self.cookieName, value: token, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
            }
        }
        return response
    }
}
