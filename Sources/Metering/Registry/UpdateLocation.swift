import Accounts
import Identity
import Notifications
import Platform

/// MT-2: a technician records where a meter really is (GPS). Each update is kept; the
/// installation shows the latest.
public struct UpdateLocation: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Returns false when the account has no live meter.
    public func run(accountNumber: String, location: InstallMeter.Location, by userID: Int64, clientAddress: String?) async throws -> Bool {
        try await database.transaction { connection in
            guard
                let installationID: Int64 = try connection.query(
                    """
                    UPDATE meter_installations i SET latitude = $2, longitude = $3 FROM accounts a
                    WHERE a.id = i.account_id AND a.account_number = $1 AND i.removed_on IS NULL RETURNING i.id
                    """, [accountNumber, location.latitude, location.longitude]
                ).rows.first?.decode("id")
            else { return false }
            try connection.execute(
                "INSERT INTO meter_locations (installation_id, latitude, longitude, recorded_by) VALUES ($1, $2, $3, $4)",
                [installationID, location.latitude, location.longitude, userID])
            try AuditLog.record(
                on: connection, .meterLocated, userID: userID, clientAddress: clientAddress,
                details: ["account": accountNumber, "latitude": String(location.latitude), "longitude": String(location.longitude)])
            return true
        }
    }
}
