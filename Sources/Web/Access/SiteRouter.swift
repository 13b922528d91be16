import Accounts
import Hummingbird
import Identity
import MeterProtocol
import Metering
import Notifications
import Platform

/// A request context that belongs to one audience's route group.
public protocol AudienceContext: RequestContext {
    /// The group whose gate lets this audience in.
    static func group(in site: SiteRouter) -> RouterGroup<Self>
    /// What a single route adds to its group's gate: the permission of a staff route.
    func admit(_ audience: Audience) throws
}

/// Registers every route of `Routes` in the group of its audience, so who may enter is decided
/// by the group, once; and remembers what it registered, for the access-matrix test.
public final class SiteRouter {
    public typealias Handler<Context> = @Sendable (Request, Context) async throws -> Response

    let everyone: RouterGroup<AppRequestContext>
    let consumers: RouterGroup<ConsumerContext>
    let staffSigningIn: RouterGroup<StaffSigningInContext>
    let staff: RouterGroup<StaffContext>
    let bridges: RouterGroup<BridgeContext>
    public private(set) var registered: [(method: HTTPRequest.Method, endpoint: any AnyEndpoint)] = []

    public init(router: Router<AppRequestContext>, bridgeSignature: BridgeSignature?, clock: any WallClock) {
        everyone = router.group()
        consumers = router.group().add(middleware: AudienceGate(group: .consumers))
            .group(context: ConsumerContext.self)
        staffSigningIn = router.group().add(middleware: AudienceGate(group: .staffSigningIn))
            .group(context: StaffSigningInContext.self)
        staff = router.group().add(middleware: AudienceGate(group: .staff))
            .group(context: StaffContext.self)
        bridges = router.group().add(middleware: BridgeGate(signature: bridgeSignature, clock: clock))
            .group(context: BridgeContext.self)
    }

    public func on<Context: AudienceContext>(_ method: HTTPRequest.Method, _ endpoint: Endpoint<Context>, use handler: @escaping Handler<Context>) {
        registered.append((method, endpoint))
        let audience = endpoint.audience
        Context.group(in: self).on(RouterPath(endpoint.pattern), method: method) { request, context in
            try context.admit(audience)
            return try await handler(request, context)
        }
    }

    public func get<Context: AudienceContext>(_ endpoint: Endpoint<Context>, use handler: @escaping Handler<Context>) {
        on(.get, endpoint, use: handler)
    }

    public func post<Context: AudienceContext>(_ endpoint: Endpoint<Context>, use handler: @escaping Handler<Context>) {
        on(.post, endpoint, use: handler)
    }
}
