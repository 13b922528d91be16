import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// Gives each request a lazily loaded `SessionHandle` and writes the cookie when the session
/// starts, rotates or ends: HttpOnly, SameSite=Lax, Path=/, and Secure when served over TLS.
public struct SessionMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    public static let cookieName = "meterline_session"
    /// The signed form token of a visitor without a session.
    public static let formCookieName = "meterline_form"

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
            store: store, cookieToken: request.cookies[Self.cookieName]?.value,
            formCookie: request.cookies[Self.formCookieName]?.value, userAgent: request.headers[.userAgent],
            clientAddress: context.clientAddress)
        context.session = handle
        var response = try await next(request, context)
        let secure = servedOverTLS || request.headers[.init("X-Forwarded-Proto")!] == "https"
        if let formCookie = handle.formCookieChange {
            response.setCookie(Cookie(name: Self.formCookieName, value: formCookie, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        }
        if let token = handle.cookieChange {
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
