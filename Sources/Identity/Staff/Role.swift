import Notifications
import Platform

/// Staff roles (SPEC "People"). A staff member may hold several; pages check permissions, which
/// roles grant, never a role or a URL prefix.
public enum Role: String, CaseIterable, Sendable, Codable {
    case meterReader = "meter_reader"
    case technician
    case engineer
    case support
    case finance
    case admin

    public var title: String {
        switch self {
        case .meterReader: "Meter reader"
        case .technician: "Technician"
        case .engineer: "Engineer"
        case .support: "Support"
        case .finance: "Finance"
        case .admin: "Administrator"
        }
    }

    public var permissions: Set<Permission> {
        switch self {
        case .admin: [.enterStaffArea, .manageStaff, .viewAudit, .manageAccounts, .viewTariffs, .manageTariffs, .setServiceStandards]
        case .finance:
            [
                .enterStaffArea, .viewAudit, .reviewReadings, .importReadings, .runBilling, .creditBills, .viewFinanceReports, .viewTariffs,
                .recordPayments, .resolveDisputes,
            ]
        case .meterReader: [.enterStaffArea, .readMeters]
        case .technician: [.enterStaffArea, .readMeters, .installMeters, .viewMeterHealth, .issueEmergencyTokens]
        case .engineer:
            [.enterStaffArea, .readMeters, .registerMeters, .reviewReadings, .importReadings, .viewMeterHealth, .manageVendingKeys, .commandMeters]
        case .support: [.enterStaffArea, .reviewReadings, .viewMeterHealth, .handleTickets]
        }
    }
}

/// What a staff page asks for. The metering, billing and ticket work add theirs here.
public enum Permission: Sendable, Hashable {
    case enterStaffArea
    case manageStaff
    case viewAudit
    /// Find accounts in the field and enter manual readings (MT-3).
    case readMeters
    /// Record installations, exchanges and locations (MT-2).
    case installMeters
    /// Register and provision meters (MT-2).
    case registerMeters
    /// Create and edit utility accounts (MT-1).
    case manageAccounts
    /// See flagged readings and consumption alerts, acknowledge them, correct readings (MT-5, MT-6).
    case reviewReadings
    /// Load readings from a CSV file (MT-4).
    case importReadings
    /// See smart meters' health and the silent ones (MT-7).
    case viewMeterHealth
    /// Draft, preview, approve, discard and issue bill runs (BL-2).
    case runBilling
    /// Find an issued bill and cancel it with a credit note (BL-2, BL-4).
    case creditBills
    /// See defaulters and finance reports, and export them (BL-6, BL-9).
    case viewFinanceReports
    /// Record office and bank payments, and verify or reject those another user recorded (BL-5).
    case recordPayments
    /// Work the queue of disputed bills: reject, or resolve with a credit note or a new bill (BL-7).
    case resolveDisputes
    /// See the tariffs and every version of them (BL-1).
    case viewTariffs
    /// Add a tariff version, after a preview of sample bills (BL-1).
    case manageTariffs
    /// Work the complaint queue: answer, move, assign and merge tickets, and open them from alerts (TK-2, TK-3).
    case handleTickets
    /// Set the service standards: target days per category in towns and villages, compensation, rural areas (TK-3).
    case setServiceStandards
    /// Give a prepaid meter an emergency token on site (BL-8).
    case issueEmergencyTokens
    /// Load the vending keys prepaid tokens are made with (BL-8).
    case manageVendingKeys
    /// Disconnect or reconnect a smart meter's supply, ask for its diagnostics (BR-3).
    case commandMeters
}

extension Collection<Role> {
    public func grants(_ permission: Permission) -> Bool { contains { $0.permissions.contains(permission) } }
}
