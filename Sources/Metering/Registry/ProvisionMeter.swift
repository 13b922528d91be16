import Accounts
import Identity
import Notifications
import Platform

/// MT-2: an engineer provisions a registered meter: it has been configured and tested and may go
/// out to be installed. A smart meter must be provisioned before a technician installs it, so
/// no meter reports to the bridge with a key nobody checked.
public struct ProvisionMeter: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Returns false when there is no registered (not yet provisioned) meter with this serial.
    public func run(serial: String, by userID: Int64, clientAddress: String?) async throws -> Bool {
        try await database.transaction { connection in
            guard
                try connection.execute(
                    "UPDATE meters SET status = 'provisioned' WHERE serial = $1 AND status = 'registered'", [serial.uppercased()]) == 1
            else { return false }
            try AuditLog.record(
                on: connection, .meterProvisioned, userID: userID, clientAddress: clientAddress, details: ["serial": serial.uppercased()])
            return true
        }
    }
}
