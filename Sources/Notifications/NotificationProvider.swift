import Platform

/// Where notifications are delivered: the development inbox, or an HTTP gateway that forwards to
/// a real SMS or email service. Tests and development use real providers, not doubles.
public protocol NotificationProvider: Sendable {
    /// Stored with each sent notification.
    var name: String { get }
    /// Delivers one notification or throws; a thrown error is retried later.
    func deliver(_ notification: OutgoingNotification) async throws
}

/// The development provider: delivering means the message is recorded as sent, and the
/// /dev/inbox page shows every such message. Nothing leaves the machine.
public struct DevInboxProvider: NotificationProvider {
    public let name = "dev-inbox"
    public init() {}
    public func deliver(_ notification: OutgoingNotification) async throws {}
}
