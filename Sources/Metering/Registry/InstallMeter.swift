import Accounts
import Identity
import Notifications
import Platform

/// MT-2: a technician installs a registered meter at a premise: the date, the register's
/// reading at that moment, and where it is (GPS). The first reading of the installation is
/// that initial reading, so consumption counts from it.
public struct InstallMeter: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Refused: Error, Equatable {
        public let message: String

        public init(message: String) {
            self.message = message
        }
    }

    public struct Location: Sendable, Equatable {
        public let latitude: Double
        public let longitude: Double

        public init?(latitude: String?, longitude: String?) {
            guard let latitude = Double(Normalise.text(latitude) ?? ""), let longitude = Double(Normalise.text(longitude) ?? ""),
                (-90...90).contains(latitude), (-180...180).contains(longitude)
            else { return nil }
            (self.latitude, self.longitude) = (latitude, longitude)
        }
    }

    public func run(
        serial: String, accountNumber: String, on day: CalendarDay, initialReading: Int64, location: Location?,
        by userID: Int64?, clientAddress: String?
    ) async throws -> Int64 {
        try await database.transaction { connection in
            try Self.install(
                on: connection, serial: serial, accountNumber: accountNumber, day: day, initialReading: initialReading,
                location: location, by: userID)
        }
    }

    /// Inside the caller's transaction, so a meter exchange is one change.
    public static func install(
        on connection: PostgresConnection, serial: String, accountNumber: String, day: CalendarDay, initialReading: Int64,
        location: Location?, by userID: Int64?
    ) throws -> Int64 {
        guard
            let meter = try connection.query(
                "SELECT id, kind, status, register_digits FROM meters WHERE serial = $1 FOR UPDATE", [serial.uppercased()]
            ).rows.first
        else { throw Refused(message: "No meter with serial \(serial) is registered.") }
        guard try meter.decode("status", as: String.self) != "installed" else {
            throw Refused(message: "Meter \(serial) is installed somewhere already; remove it there first.")
        }
        guard try meter.decode("status", as: String.self) != "removed" else {
            throw Refused(message: "Meter \(serial) was removed from service and cannot be installed again.")
        }
        guard try meter.decode("kind", as: String.self) != "smart" || meter.decode("status", as: String.self) == "provisioned" else {
            throw Refused(message: "Smart meter \(serial) must be provisioned by an engineer before it is installed.")
        }
        let register = MeterRegister(digits: try meter.decode("register_digits"), multiplier: 1)
        guard register.canShow(initialReading) else {
            throw Refused(message: "The register has \(register.digits) digits, so a reading is at most \(register.size - 1).")
        }
        guard
            let accountID: Int64 = try connection.query(
                "SELECT id FROM accounts WHERE account_number = $1 FOR UPDATE", [accountNumber]
            ).rows.first?.decode("id")
        else { throw Refused(message: "There is no account \(accountNumber).") }
        guard
            try connection.query(
                "SELECT 1 FROM meter_installations WHERE account_id = $1 AND removed_on IS NULL", [accountID]
            ).rows.isEmpty
        else {
            throw Refused(message: "Account \(accountNumber) has a meter already: exchange it instead.")
        }
        if try connection.query("SELECT $1::date > (\(connection.now))::date AS future", [day.description]).rows[0]
            .decode("future", as: Bool.self)
        {
            throw Refused(message: "The installation date cannot be in the future.")
        }
        let meterID: Int64 = try meter.decode("id")
        let installationID: Int64 = try connection.query(
            """
            INSERT INTO meter_installations (meter_id, account_id, installed_on, initial_reading, latitude, longitude, installed_by)
            VALUES ($1, $2, $3::date, $4, $5, $6, $7) RETURNING id
            """, [meterID, accountID, day.description, initialReading, location?.latitude, location?.longitude, userID]
        ).rows[0].decode("id")
        try connection.execute(
            """
            INSERT INTO readings (installation_id, account_id, read_on, value, consumption, kind, created_by)
            VALUES ($1, $2, $3::date, $4, 0, 'initial', $5)
            """, [installationID, accountID, day.description, initialReading, userID])
        try connection.execute("UPDATE meters SET status = 'installed' WHERE id = $1", [meterID])
        if let location {
            try connection.execute(
                "INSERT INTO meter_locations (installation_id, latitude, longitude, recorded_by) VALUES ($1, $2, $3, $4)",
                [installationID, location.latitude, location.longitude, userID])
        }
        try AuditLog.record(
            on: connection, .meterInstalled, userID: userID, clientAddress: nil,
            details: ["serial": serial.uppercased(), "account": accountNumber, "initial": String(initialReading)])
        return installationID
    }
}
