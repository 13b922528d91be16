import Notifications
import Platform

/// ID-3: passwordless sign-in with a code texted to the verified mobile. Asking for a code says
/// the same whether or not the login exists. A password lock does not stop it: whoever holds
/// the mobile is the owner, and this is how a locked-out owner still gets in.
public struct CodeSignIn: Sendable {
    public let database: Database
    public let codes: OneTimeCodes

    public init(database: Database, codes: OneTimeCodes) {
        self.database = database
        self.codes = codes
    }

    public func sendCode(login: String) async throws {
        let codes = self.codes
        try await database.transaction { connection in
            guard let user = try LoginLookup.find(login, on: connection), user.reachable, let mobile = user.mobile else { return }
            try codes.issue(on: connection, userID: user.id, purpose: .login, recipient: mobile) {
                "Meterline: your sign-in code is \($0). It expires in 5 minutes. Never share it."
            }
        }
    }

    /// The user signed in by this code, or nil.
    public func signIn(login: String, code: String, clientAddress: String) async throws -> Int64? {
        let codes = self.codes
        return try await database.transaction { connection in
            guard let user = try LoginLookup.find(login, on: connection, forUpdate: true), user.reachable,
                try codes.check(on: connection, userID: user.id, purpose: .login, code: code) == .accepted
            else { return nil }
            try connection.execute(
                "UPDATE users SET last_login_at = \(connection.now), failed_logins = 0, locked_until = NULL WHERE id = $1", [user.id])
            try AuditLog.record(on: connection, .loginByCode, userID: user.id, clientAddress: clientAddress)
            return user.id
        }
    }
}
