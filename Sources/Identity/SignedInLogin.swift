import Notifications
import Platform

/// The login a session belongs to, read once per request by the gate of the route's audience:
/// what kind it is, whether it may still act, and for staff the roles and first-sign-in progress.
public struct SignedInLogin: Sendable {
    public let id: Int64
    public let username: String
    public let fullName: String
    public let kind: LoginKind
    public let status: LoginStatus
    /// Five failed passwords lock a login until it is unlocked by code or the lock runs out.
    public let locked: Bool
    /// A consumer's own utility account, when it is not closed.
    public let accountID: Int64?
    public let roles: [Role]
    public let mustChangePassword: Bool
    public let enrolled: Bool

    public init(id: Int64, username: String, fullName: String, kind: LoginKind, status: LoginStatus, locked: Bool, accountID: Int64?, roles: [Role], mustChangePassword: Bool, enrolled: Bool) {
        self.id = id
        self.username = username
        self.fullName = fullName
        self.kind = kind
        self.status = status
        self.locked = locked
        self.accountID = accountID
        self.roles = roles
        self.mustChangePassword = mustChangePassword
        self.enrolled = enrolled
    }

    /// A consumer who may use the consumer pages now.
    public var mayActAsConsumer: Bool { kind == .consumer && status == .active && !locked }

    public static func load(userID: Int64, in database: Database) async throws -> SignedInLogin? {
        guard let row = try await database.query(
            """
            SELECT u.id, u.username, u.full_name, u.kind, u.status, coalesce(u.locked_until > \(database.now), false) AS locked,
                   CASE WHEN a.status <> 'closed' THEN a.id END AS account_id, array_to_string(u.roles, ',') AS roles,
                   u.must_change_password, u.totp_enrolled_at IS NOT NULL AS enrolled
            FROM users u LEFT JOIN accounts a ON a.id = u.account_id
            WHERE u.id = $1
            """, [userID]
        ).rows.first else { return nil }
        return SignedInLogin(
            id: try row.decode("id"), username: try row.decode("username"), fullName: try row.decode("full_name"),
            kind: try row.decode("kind"), status: try row.decode("status"), locked: try row.decode("locked"),
            accountID: try row.decode("account_id"),
            roles: try row.decode("roles", as: String.self).split(separator: ",").compactMap { Role(rawValue: String($0)) },
            mustChangePassword: try row.decode("must_change_password"), enrolled: try row.decode("enrolled"))
    }
}

/// `users.kind`.
public enum LoginKind: String, Sendable, SQLEncodable, SQLDecodable {
    case consumer, staff
}

/// `users.status`: pending until the mobile is verified; suspended after long idleness or by staff.
public enum LoginStatus: String, Sendable, SQLEncodable, SQLDecodable {
    case pending, active, suspended
}
