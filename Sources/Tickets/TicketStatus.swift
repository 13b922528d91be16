/// TK-2: where a ticket stands. The service standard's clock runs while it is open or in progress
/// and stops while it waits on the customer and once it is resolved.
public enum TicketStatus: String, Sendable, CaseIterable, Codable {
    case open
    case inProgress = "in_progress"
    case waiting
    case resolved
    case closed

    /// As staff read it.
    public var title: String {
        switch self {
        case .open: "Open"
        case .inProgress: "In progress"
        case .waiting: "Waiting on customer"
        case .resolved: "Resolved"
        case .closed: "Closed"
        }
    }

    /// As the consumer reads it.
    public var consumerTitle: String { self == .waiting ? "Waiting on you" : title }

    public var clockRuns: Bool { self == .open || self == .inProgress }

    /// Where support staff may move a ticket from here. Reopening is the consumer's step and
    /// closing the hourly pass's (or a merge's).
    public var staffSteps: [TicketStatus] {
        switch self {
        case .open: [.inProgress, .waiting, .resolved]
        case .inProgress: [.waiting, .resolved]
        case .waiting: [.inProgress, .resolved]
        case .resolved, .closed: []
        }
    }
}

/// TK-1: what a ticket is about. Each has its service standard (`ServiceStandards`).
public enum TicketCategory: String, Sendable, CaseIterable, Codable {
    case billing
    case outage
    case meterFault = "meter_fault"
    case newConnection = "new_connection"
    case voltage
    case other

    public var title: String {
        switch self {
        case .billing: "A bill"
        case .outage: "No supply (outage)"
        case .meterFault: "A faulty meter"
        case .newConnection: "A new connection"
        case .voltage: "Voltage too low or too high"
        case .other: "Something else"
        }
    }
}
