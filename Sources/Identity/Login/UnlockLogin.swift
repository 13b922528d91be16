import Notifications
import Platform

/// ID-5: the owner of a locked login unlocks it at once with a code texted to the verified
/// mobile. Answers do not reveal whether a login exists or is locked.
public struct UnlockLogin: Sendable {
    public let database: Database
    public let codes: OneTimeCodes

    public init(database: Database, codes: OneTimeCodes) {
        self.database = database
        self.codes = codes
    }

    /// Texts an unlock code if `login` names a locked login; silent otherwise.
    public func sendCode(login: String) async throws {
        let codes = self.codes
        try await database.transaction { connection in
            guard let user = try LoginLookup.find(login, on: connection), user.locked, user.reachable, let mobile = user.mobile
            else { return }
            try codes.issue(on: connection, userID: user.id, purpose: .unlock, recipient: mobile) {
                "Meterline: your unlock code is \($0). It expires in 5 minutes."
            }
        }
    }

    /// True when the code was right and the login is unlocked.
    public func unlock(login: String, code: String, clientAddress: String) async throws -> Bool {
        let codes = self.codes
        return try await database.transaction { connection in
            guard let user = try LoginLookup.find(login, on: connection, forUpdate: true), user.locked else { return false }
            guard try codes.check(on: connection, userID: user.id, purpose: .unlock, code: code) == .accepted else { return false }
            try connection.execute("UPDATE users SET locked_until = NULL, failed_logins = 0 WHERE id = $1", [user.id])
            try AuditLog.record(on: connection, .loginUnlocked, userID: user.id, clientAddress: clientAddress)
            return true
        }
    }
}
