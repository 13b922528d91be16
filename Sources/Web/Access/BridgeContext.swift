import Hummingbird
import MeterProtocol
import Platform

/// The context of a device bridge's call (BR-1): its body, whose signature the gate checked.
public struct BridgeContext: ChildRequestContext, AudienceContext {
    public var coreContext: CoreRequestContextStorage
    public let body: [UInt8]

    public init(context: AppRequestContext) throws {
        guard let body = context.signedBody else { throw PageError.internalError }
        coreContext = context.coreContext
        self.body = body
    }

    public static func group(in site: SiteRouter) -> RouterGroup<Self> { site.bridges }
    public func admit(_ audience: Audience) throws {}
}

/// The door of the bridge routes: the whole request (method, path, body) must carry the shared
/// secret's signature, made within five minutes; anything else is 401 before a handler runs.
/// Without a configured secret no bridge is let in.
struct BridgeGate: RouterMiddleware {
    typealias Context = AppRequestContext
    let signature: BridgeSignature?
    let clock: any WallClock

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let body = Array(try await request.collectBody(upTo: AppRequestContext.uploadLimit).readableBytesView)
        guard let signature else { return Self.unauthorized("No device bridge is configured (BRIDGE_SECRET).") }
        do {
            try signature.verify(
                method: request.method.rawValue, path: request.uri.path, body: body, header: request.headers[.init(BridgeSignature.header)!],
                at: clock.now)
        } catch .missing {
            return Self.unauthorized("The request is not signed.")
        } catch .mismatch {
            return Self.unauthorized("The signature does not match.")
        } catch .stale {
            return Self.unauthorized("The signature is more than five minutes old.")
        }
        var context = context
        context.signedBody = body
        return try await next(request, context)
    }

    static func unauthorized(_ detail: String) -> Response {
        ProblemResponse.make(.unauthorized, detail)
    }
}
