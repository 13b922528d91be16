import Notifications
import Platform

/// ID-5: a login suspended for being unused is reactivated with a code texted to its verified
/// mobile. Asking for a code says the same whatever the login's state.
public struct ReactivateLogin: Sendable {
    public let database: Database
    public let codes: OneTimeCodes

    public init(database: Database, codes: OneTimeCodes) {
        self.database = database
        self.codes = codes
    }

    private func idleUser(_ login: String, on connection: PostgresConnection, forUpdate: Bool = false) throws -> LoginLookup.Found? {
        guard let user = try LoginLookup.find(login, on: connection, forUpdate: forUpdate), user.status == "suspended",
            user.suspendedReason == "idle", user.mobile != nil
        else { return nil }
        return user
    }

    public func sendCode(login: String) async throws {
        let codes = self.codes
        try await database.transaction { connection in
            guard let user = try idleUser(login, on: connection), let mobile = user.mobile else { return }
            try codes.issue(on: connection, userID: user.id, purpose: .reactivate, recipient: mobile) {
                "Meterline: your code to reactivate your login is \($0). It expires in 5 minutes."
            }
        }
    }

    /// The reactivated user, signed in by the caller, or nil.
    public func reactivate(login: String, code: String, clientAddress: String) async throws -> Int64? {
        let codes = self.codes
        return try await database.transaction { connection in
            guard let user = try idleUser(login, on: connection, forUpdate: true),
                try codes.check(on: connection, userID: user.id, purpose: .reactivate, code: code) == .accepted
            else { return nil }
            try connection.execute(
                "UPDATE users SET status = 'active', suspended_reason = NULL, last_login_at = \(connection.now) WHERE id = $1", [user.id])
            try AuditLog.record(on: connection, .loginReactivated, userID: user.id, clientAddress: clientAddress)
            return user.id
        }
    }
}
