import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// Headers every response carries: a Content-Security-Policy that allows no inline script and no
/// framing, no MIME sniffing, a strict referrer policy, no powerful browser features, and the request id for support.
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    }

    /// No page needs the camera, microphone, location, payment or USB; nothing embedded may ask.
    static var permissionsPolicy: String { "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()" }

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "strict-origin-when-cross-origin"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Permissions-Policy")!] = Self.permissionsPolicy
        response.headers[.init("X-Request-Id")!] = context.id
        return response
    }
}
