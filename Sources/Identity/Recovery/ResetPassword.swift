import Notifications
import Platform

/// ID-6: a forgotten password. A code goes to the verified mobile or the verified email; with
/// it, a new password is set, the lock (if any) lifted, and every other session of the login ended.
public struct ResetPassword: Sendable {
    public let database: Database
    public let passwords: PasswordHasher
    public let policy: PasswordPolicy
    public let codes: OneTimeCodes

    public init(database: Database, passwords: PasswordHasher, policy: PasswordPolicy, codes: OneTimeCodes) {
        self.database = database
        self.passwords = passwords
        self.policy = policy
        self.codes = codes
    }

    public func sendCode(login: String, channel: OutgoingNotification.Channel = .sms) async throws {
        let codes = self.codes
        try await database.transaction { connection in
            guard let user = try LoginLookup.find(login, on: connection), let address = user.address(on: channel) else { return }
            let text = { (code: String) in "Meterline: your code to set a new password is \(code). It expires in 5 minutes. Never share it." }
            if channel == .email {
                try codes.issue(
                    on: connection, userID: user.id, purpose: .recovery, recipient: address, subject: "Your Meterline code", message: text)
            } else {
                try codes.issue(on: connection, userID: user.id, purpose: .recovery, recipient: address, message: text)
            }
        }
    }

    public enum Outcome: Equatable, Sendable {
        case reset(userID: Int64)
        case badCode
        case badPassword(String)
    }

    /// The password rules are checked against the login as typed, never against a login looked
    /// up, so the answer is the same whether or not the login exists.
    public func reset(login: String, code: String, newPassword: String, clientAddress: String) async throws -> Outcome {
        do {
            try policy.check(newPassword, username: login.isEmpty ? nil : login)
        } catch {
            return .badPassword(error.description)
        }
        let hash = try await passwords.hash(newPassword)
        let codes = self.codes
        return try await database.transaction { connection in
            guard let user = try LoginLookup.find(login, on: connection, forUpdate: true), user.status == "active",
                try codes.check(on: connection, userID: user.id, purpose: .recovery, code: code) == .accepted
            else { return .badCode }
            try connection.execute(
                "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE id = $1", [user.id, hash])
            try connection.execute("DELETE FROM sessions WHERE user_id = $1", [user.id])
            try AuditLog.record(on: connection, .passwordReset, userID: user.id, clientAddress: clientAddress)
            return .reset(userID: user.id)
        }
    }
}
