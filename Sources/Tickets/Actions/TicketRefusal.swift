/// Why a step on a ticket cannot be taken, in words the person can act on.
public enum TicketRefusal: Error, Equatable, CustomStringConvertible {
    case illegalStep(from: TicketStatus, to: TicketStatus)
    case closed
    case resolved
    case notResolved
    case reopenWindowPassed(days: Int)
    case notClosed
    case alreadyRated
    case mergedTicket
    case mergeIntoItself
    case mergeAcrossAccounts
    case mergeResolved
    case notSupportStaff

    public var description: String {
        switch self {
        case .illegalStep(let from, let to):
            from == .resolved || from == .closed
                ? "A \(from.title.lowercased()) ticket cannot be moved to “\(to.title.lowercased())”: the consumer may reopen it."
                : "A ticket that is “\(from.title.lowercased())” cannot be moved to “\(to.title.lowercased())”."
        case .closed: "This ticket is closed: raise a new one if something is still wrong."
        case .resolved: "This ticket is resolved: reopen it to add to it."
        case .notResolved: "Only a resolved ticket can be reopened."
        case .reopenWindowPassed(let days):
            "A ticket can be reopened for \(days) days after it is resolved, and that time has passed: raise a new ticket."
        case .notClosed: "You can rate a ticket once it is closed."
        case .alreadyRated: "You have rated this ticket already. Thank you."
        case .mergedTicket: "This ticket was merged into another; rate that one."
        case .mergeIntoItself: "A ticket cannot be merged into itself."
        case .mergeAcrossAccounts: "Only tickets of the same account and the same consumer can be merged; that one is someone else’s."
        case .mergeResolved: "A resolved ticket is not merged: it closes by itself once the reopen window has passed."
        case .notSupportStaff: "Tickets can be assigned only to support staff."
        }
    }
}
