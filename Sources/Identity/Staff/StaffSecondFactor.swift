import Foundation
import Notifications
import Platform

/// ID-7: the staff member's authenticator. Enrolment stores a fresh secret and completes when a
/// code from the app is accepted; afterwards each session needs a code, and a code works once.
public struct StaffSecondFactor: Sendable {
    public let database: Database
    /// Secrets are stored sealed; a value that does not open is treated as no secret.
    public let box: SecretBox

    public init(database: Database, box: SecretBox) {
        self.database = database
        self.box = box
    }

    /// The secret to show for enrolment: the pending one, or a new one.
    public func enrolmentSecret(userID: Int64) async throws -> [UInt8] {
        let box = self.box
        return try await database.transaction { connection in
            let row = try connection.query(
                "SELECT totp_secret, totp_enrolled_at IS NOT NULL AS enrolled FROM users WHERE id = $1 AND kind = 'staff' FOR UPDATE",
                [userID]
            ).rows[0]
            if let existing: ByteA = try row.decode("totp_secret"), !(try row.decode("enrolled", as: Bool.self)),
                let secret = box.open(existing.bytes)
            {
                return secret
            }
            let secret = SecureRandom.bytes(20)
            try connection.execute(
                "UPDATE users SET totp_secret = $2, totp_enrolled_at = NULL, totp_last_step = NULL WHERE id = $1",
                [userID, ByteA(box.seal(secret))])
            return secret
        }
    }

    public enum Outcome: Sendable, Equatable {
        case accepted
        case wrong
        /// Five wrong codes (or passwords) in a row: the login is locked, this code was not looked at.
        case locked
    }

    /// Checks a code from the authenticator; on success, enrols (if pending), records the step and
    /// clears the failure count. A wrong code counts like a wrong password, under the user's row
    /// lock, so codes sent at once are counted one after the other and none is tried once locked.
    public func accept(userID: Int64, code: String, clientAddress: String, failures: SignIn) async throws -> Outcome {
        let (box, date) = (self.box, database.clock.now)
        return try await database.transaction { connection in
            let row = try connection.query(
                """
                SELECT totp_secret, totp_last_step, totp_enrolled_at IS NOT NULL AS enrolled,
                       coalesce(locked_until > \(connection.now), false) AS locked
                FROM users WHERE id = $1 AND kind = 'staff' FOR UPDATE
                """, [userID]
            ).rows[0]
            if try row.decode("locked", as: Bool.self) { return .locked }
            func wrong() throws -> Outcome {
                try failures.recordFailure(on: connection, userID: userID, clientAddress: clientAddress, alreadyLocked: false) ? .locked : .wrong
            }
            guard let sealed: ByteA = try row.decode("totp_secret"), let secret = box.open(sealed.bytes),
                let step = TOTP.matchingStep(code, secret: secret, at: date)
            else { return try wrong() }
            // A code already used (or an older one) never works again.
            if let last: Int64 = try row.decode("totp_last_step"), step <= last { return try wrong() }
            let enrolling = !(try row.decode("enrolled", as: Bool.self))
            try connection.execute(
                """
                UPDATE users SET totp_last_step = $2, totp_enrolled_at = coalesce(totp_enrolled_at, \(connection.now)), failed_logins = 0
                WHERE id = $1
                """, [userID, step])
            if enrolling { try AuditLog.record(on: connection, .staffEnrolledAuthenticator, userID: userID, clientAddress: clientAddress) }
            return .accepted
        }
    }
}
