import Notifications
import Platform

/// ID-7: an admin (or `meterline create-staff`) creates a staff login with roles. It gets a
/// random initial password, shown once, that must be changed at the first sign-in.
public struct CreateStaff: Sendable {
    public let database: Database
    public let passwords: PasswordHasher

    public init(database: Database, passwords: PasswordHasher) {
        self.database = database
        self.passwords = passwords
    }

    public enum Problem: Equatable, Sendable, CustomStringConvertible {
        case badUsername
        case badName
        case noRoles
        case usernameTaken

        public var description: String {
            switch self {
            case .badUsername: "A username has 3 to 32 letters, digits, dots, dashes or underscores."
            case .badName: "Enter the full name (at most 120 characters)."
            case .noRoles: "Give at least one role."
            case .usernameTaken: "This username is taken."
            }
        }
    }

    /// Every problem with the request at once, so a form can mark each field.
    public struct Refused: Error, Equatable, CustomStringConvertible {
        public let problems: [Problem]

        public init(problems: [Problem]) {
            self.problems = problems
        }
        public var description: String { problems.map(\.description).joined(separator: " ") }
    }

    /// Returns the new login's id and its initial password.
    public func run(
        username: String, fullName: String, roles: Set<Role>, by adminID: Int64?, clientAddress: String?
    ) async throws -> (id: Int64, initialPassword: String) {
        var problems = [Problem]()
        if !Normalise.isValidUsername(username) { problems.append(.badUsername) }
        let name = Normalise.text(fullName) ?? ""
        if name.isEmpty || name.count > 120 { problems.append(.badName) }
        if roles.isEmpty { problems.append(.noRoles) }
        guard problems.isEmpty else { throw Refused(problems: problems) }
        // 16 characters from a 58-letter alphabet without look-alikes: about 94 bits.
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        let initial = String(SecureRandom.bytes(16).map { alphabet[Int($0) % alphabet.count] })
        let hash = try await passwords.hash(initial)
        let roleNames = roles.map(\.rawValue).sorted()
        do {
            let id: Int64 = try await database.transaction { connection in
                let id: Int64 = try connection.query(
                    """
                    INSERT INTO users (username, full_name, password_hash, kind, roles, status, must_change_password, created_at)
                    VALUES ($1, $2, $3, 'staff', string_to_array($4, ','), 'active', true, \(connection.now)) RETURNING id
                    """, [username, name, hash, roleNames.joined(separator: ",")]
                ).rows[0].decode("id")
                try AuditLog.record(
                    on: connection, .staffCreated, userID: adminID, clientAddress: clientAddress,
                    details: ["staff": username, "roles": roleNames.joined(separator: ",")])
                return id
            }
            return (id, initial)
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw Refused(problems: [.usernameTaken])
        }
    }
}
