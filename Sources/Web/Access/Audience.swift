import Accounts
import Identity
import Metering
import Notifications
import Platform

/// Who may enter a route (SPEC "People"). The route group of the audience decides it once, before
/// any handler runs; a handler never checks again.
public enum Audience: Sendable, Hashable, CustomStringConvertible {
    /// Anyone, signed in or not.
    case everyone
    /// A signed-in consumer whose login is active, not locked, not suspended.
    case consumer
    /// A staff member part-way through the first sign-in (new password, authenticator): only the
    /// pages of those steps.
    case staffSigningIn
    /// A staff member with the first sign-in done and the authenticator passed in this session,
    /// holding the permission.
    case staff(Permission)
    /// A payment gateway posting a callback: no session; the handler checks the signature of the
    /// body before anything else, and refuses everyone else with 401.
    case gateway
    /// A device bridge (BR-1): no session; the route group's gate checks the signature of the
    /// whole request with the shared bridge secret and refuses everyone else with 401.
    case bridge

    public var description: String {
        switch self {
        case .everyone: "everyone"
        case .consumer: "consumer"
        case .staffSigningIn: "staff signing in"
        case .staff(let permission): "staff with \(permission)"
        case .gateway: "payment gateway"
        case .bridge: "device bridge"
        }
    }
}
