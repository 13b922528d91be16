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

    var permissions: Set<Permission> {
        switch self {
        case .admin: [.enterStaffArea, .manageStaff, .viewAudit]
        case .finance: [.enterStaffArea, .viewAudit]
        case .meterReader, .technician, .engineer, .support: [.enterStaffArea]
        }
    }
}

/// What a staff page asks for. The metering, billing and ticket work add theirs here.
public enum Permission: Sendable, Hashable {
    case enterStaffArea
    case manageStaff
    case viewAudit
}

extension Collection<Role> {
    func grants(_ permission: Permission) -> Bool { contains { $0.permissions.contains(permission) } }
}
