import Accounts
import Foundation
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// Behind a load balancer the peer is the balancer; the client is the last address it appended to
/// X-Forwarded-For. Only trusted when configured, or anyone could choose their own rate-limit bucket.
public struct ClientAddressMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let forwarded = request.headers[.init("X-Forwarded-For")!]?.split(separator: ",").last {
            let address = forwarded.trimmingCharacters(in: .whitespaces)
            if !address.isEmpty, address.count <= 45 { context.clientAddress = address }
        }
        return try await next(request, context)
    }
}
