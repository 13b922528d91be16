import Foundation
import Platform

/// What the utility sets for complaints (TK-3): when an unresolved complaint tells the consumer
/// where to escalate, and whom to escalate to; how long a resolved ticket may be reopened.
public struct TicketSettings: Sendable, Equatable {
    public var currency: Currency
    public var escalationDays: Int
    /// The grievance forum or ombudsman, as the consumer should read it.
    public var escalationForum: String
    public var reopenDays: Int
    /// Until when a ticket resolved at `resolvedAt` may be reopened; after it, it closes.
    public func reopenDeadline(after resolvedAt: Date) -> Date {
        resolvedAt.addingTimeInterval(TimeInterval(reopenDays) * 86_400)
    }

    /// Ticket numbers' prefix: TK-2026-000001.
    public let prefix = "TK"

    public init(
        currency: Currency = .poundSterling, escalationDays: Int = 45,
        escalationForum: String = "the Energy Ombudsman (www.energyombudsman.example, 0330 000 0000)", reopenDays: Int = 14
    ) {
        self.currency = currency
        self.escalationDays = escalationDays
        self.escalationForum = escalationForum
        self.reopenDays = reopenDays
    }
}
