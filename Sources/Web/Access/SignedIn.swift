import Accounts
import Identity
import Metering
import Notifications
import Platform

/// Who the gate of a route group found, with their session: set on `AppRequestContext` by
/// `AudienceGate`, then carried by the group's own context.
public enum SignedIn: Sendable {
    case consumer(Consumer, Session)
    case staff(StaffMember, Session)
}

/// A signed-in consumer as consumer pages see them.
public struct Consumer: Sendable {
    public let id: Int64
    public let username: String
    public let fullName: String
    /// Their own utility account, unless it is closed.
    public let accountID: Int64?
}
