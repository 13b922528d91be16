import Notifications
import Platform

/// The login a session belongs to, read once per request by the gate of the route's audience:
/// what kind it is, whether it may still act, and for staff the roles and first-sign-in progress.
public struct SignedInLogin: Sendable, Equatable {
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

    public init(
        id: Int64, username: String, fullName: String, kind: LoginKind, status: LoginStatus, locked: Bool, accountID: Int64?, roles: [Role],
        mustChangePassword: Bool, enrolled: Bool
    ) {
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
        try await database.query(
            "SELECT \(columns(now: database.now)) FROM users u LEFT JOIN accounts a ON a.id = u.account_id WHERE u.id = $1", [userID]
        ).rows.first.flatMap(SignedInLogin.init(row:))
    }

    /// The columns `init(row:)` reads, from `users u` left-joined to `accounts a`, so that another
    /// query (the session's) can bring the login along in the same round trip.
    public static func columns(now: SQL) -> SQL {
        """
        u.id AS login_id, u.username AS login_username, u.full_name AS login_full_name, u.kind AS login_kind,
        u.status AS login_status, coalesce(u.locked_until > \(now), false) AS login_locked,
        CASE WHEN a.status <> 'closed' THEN a.id END AS login_account_id, array_to_string(u.roles, ',') AS login_roles,
        u.must_change_password AS login_must_change_password, u.totp_enrolled_at IS NOT NULL AS login_enrolled
        """
    }

    /// The login in a row with `columns`, or nil when the row has none (a session nobody signed into).
    public init?(row: Row) throws {
        guard let id: Int64 = try row.decode("login_id") else { return nil }
        self.init(
            id: id, username: try row.decode("login_username"), fullName: try row.decode("login_full_name"),
            kind: try row.decode("login_kind"), status: try row.decode("login_status"), locked: try row.decode("login_locked"),
            accountID: try row.decode("login_account_id"),
            roles: try row.decode("login_roles", as: String.self).split(separator: ",").compactMap { Role(rawValue: String($0)) },
            mustChangePassword: try row.decode("login_must_change_password"), enrolled: try row.decode("login_enrolled"))
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
