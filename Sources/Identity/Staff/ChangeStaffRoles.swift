import Notifications
import Platform

/// ID-7: an admin sets a staff member's roles. Someone must always be able to manage staff: the
/// last active admin keeps the role, even when two admins demote each other at the same moment
/// (the admins' rows are locked in a fixed order before the count).
public struct ChangeStaffRoles: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case noRoles, ownAdminRole, lastAdmin, noSuchStaff

        public var description: String {
            switch self {
            case .noRoles: "Give at least one role. To take every role away, ask for the login to be closed."
            case .ownAdminRole: "You cannot remove your own administrator role."
            case .lastAdmin: "This is the last administrator. Make someone else an administrator first."
            case .noSuchStaff: "There is no such staff login."
            }
        }
    }

    /// Returns the username whose roles were saved.
    public func run(userID: Int64?, roles: Set<Role>, by adminID: Int64, clientAddress: String) async throws -> String {
        guard let userID, !roles.isEmpty else { throw Refused.noRoles }
        if userID == adminID, !roles.contains(.admin) { throw Refused.ownAdminRole }
        let names = roles.map(\.rawValue).sorted().joined(separator: ",")
        return try await database.transaction { connection in
            let admins = try connection.query(
                "SELECT id FROM users WHERE kind = 'staff' AND status = 'active' AND 'admin' = ANY (roles) ORDER BY id FOR UPDATE"
            ).rows.map { try $0.decode("id", as: Int64.self) }
            if !roles.contains(.admin), admins.contains(userID), admins.count <= 1 { throw Refused.lastAdmin }
            guard
                let name: String = try connection.query(
                    "UPDATE users SET roles = string_to_array($2, ',') WHERE id = $1 AND kind = 'staff' RETURNING username",
                    [userID, names]
                ).rows.first?.decode("username")
            else { throw Refused.noSuchStaff }
            try AuditLog.record(
                on: connection, .staffRolesChanged, userID: adminID, clientAddress: clientAddress, details: ["staff": name, "roles": names])
            return name
        }
    }
}
