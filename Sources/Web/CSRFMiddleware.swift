import Accounts
import Foundation
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// Refuses any state-changing request (POST, PUT, PATCH, DELETE) that does not carry the CSRF
/// token of the sender's own session, in the form field `_csrf` or the `X-CSRF-Token` header (ID-9).
public struct CSRFMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    public static let formField = "_csrf"

    /// Gateway callbacks carry a signature instead of a session's form token.
    let exempt: Set<String>

    public init(exempt: Set<String> = Routes.site.signedCallbackPaths) {
        self.exempt = exempt
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        switch request.method {
        case .get, .head, .options:
            return try await next(request, context)
        default:
            if exempt.contains(request.uri.path) { return try await next(request, context) }
        }
        var request = request
        let sent: String?
        if let header = request.headers[.init("X-CSRF-Token")!] {
            sent = header
        } else if request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            sent = Self.formValue(named: Self.formField, in: String(buffer: body))
        } else if let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data") {
            // File uploads: the token is a part of the form like any other field.
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let boundary = type.split(separator: "boundary=").last.map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
            sent = boundary.flatMap { MultipartForm.parse(Array(body.readableBytesView), boundary: $0)?[Self.formField]?.text }
        } else {
            sent = nil
        }
        guard let sent, try await context.session?.accepts(formToken: sent) == true else {
            context.logger.notice("refused a request without a valid CSRF token")
            throw PageError.csrfRefused
        }
        return try await next(request, context)
    }

    /// The value of field `name` in a URL-encoded body; names are decoded too (`%5Fcsrf` is `_csrf`).
    static func formValue(named name: String, in body: String) -> String? {
        func decode(_ part: Substring) -> String? {
            String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, decode(parts[0]) == name else { continue }
            return decode(parts[1])
        }
        return nil
    }
}
