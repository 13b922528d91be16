import Notifications
import Platform

/// ID-1: creates a pending login for a utility account whose mobile on file matches, and texts
/// the code that completes it. Unfinished registrations expire after 24 hours and free the
/// username and the account.
public struct StartRegistration: Sendable {
    public let database: Database
    public let passwords: PasswordHasher
    public let codes: OneTimeCodes

    public init(database: Database, passwords: PasswordHasher, codes: OneTimeCodes) {
        self.database = database
        self.passwords = passwords
        self.codes = codes
    }

    /// What stops a registration, as messages for the form's fields.
    public struct Refused: Error, Equatable {
        public init(field: Field, message: String) {
            self.field = field
            self.message = message
        }

        public enum Field: Equatable { case username, email, accountNumber, form }
        public let field: Field
        public let message: String

        public static let accountMismatch = Refused(
            field: .accountNumber,
            message: "We could not match this account number with this mobile number. Check both against your bill; "
                + "if your mobile number has changed, call us to update it.")
        public static let usernameTaken = Refused(field: .username, message: "This username is taken. Choose another.")
        public static let emailTaken = Refused(field: .email, message: "This email address belongs to another login.")
        public static let accountTaken = Refused(
            field: .accountNumber, message: "This account already has an online login. Sign in instead.")
    }

    /// Whether `username` could be registered now (unfinished registrations past 24 h do not count).
    public func isAvailable(_ username: String) async throws -> Bool {
        try await database.query(
            """
            SELECT NOT EXISTS (
                SELECT 1 FROM users WHERE lower(username) = lower($1)
                AND NOT (status = 'pending' AND created_at < \(database.now) - interval '24 hours')) AS free
            """, [username]
        ).rows[0].decode("free")
    }

    /// Returns the pending user's id.
    public func run(_ registration: ValidRegistration) async throws -> Int64 {
        let passwordHash = try await passwords.hash(registration.password)
        let codes = self.codes
        do {
            return try await database.transaction { connection in
                try connection.execute(
                    "DELETE FROM users WHERE status = 'pending' AND created_at < \(connection.now) - interval '24 hours'")
                guard
                    let account = try connection.query(
                        "SELECT id, mobile_on_file FROM accounts WHERE account_number = $1", [registration.accountNumber]
                    ).rows.first, try account.decode("mobile_on_file", as: String.self) == registration.mobile
                else {
                    throw Refused.accountMismatch
                }
                let accountID: Int64 = try account.decode("id")
                if let existing = try connection.query(
                    "SELECT id, status FROM users WHERE account_id = $1 FOR UPDATE", [accountID]
                ).rows.first {
                    guard try existing.decode("status", as: String.self) == "pending" else { throw Refused.accountTaken }
                    // An earlier, unfinished registration of the same account gives way to this one.
                    try connection.execute("DELETE FROM users WHERE id = $1", [try existing.decode("id", as: Int64.self)])
                }
                let userID: Int64 = try connection.query(
                    """
                    INSERT INTO users (username, full_name, postal_address, mobile, email, password_hash, account_id, created_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, \(connection.now)) RETURNING id
                    """,
                    [
                        registration.username, registration.fullName, registration.address, registration.mobile,
                        registration.email, passwordHash, accountID,
                    ]
                ).rows[0].decode("id")
                try codes.issue(on: connection, userID: userID, purpose: .registration, recipient: registration.mobile) {
                    "Meterline: your registration code is \($0). It expires in 5 minutes. Never share it."
                }
                return userID
            }
        } catch let error as DatabaseError where error.isUniqueViolation {
            switch error.constraint {
            case "users_username_key": throw Refused.usernameTaken
            case "users_email_key": throw Refused.emailTaken
            default: throw Refused.accountTaken
            }
        } catch let refusal as OneTimeCodes.IssueRefusal {
            throw Refused(field: .form, message: refusal.description)
        }
    }
}
