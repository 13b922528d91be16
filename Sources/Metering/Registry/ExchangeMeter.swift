import Accounts
import Identity
import Notifications
import Platform

/// MT-2: a meter is replaced without losing history. In one transaction the old installation is
/// closed with its final reading (and the units used up to it), the old meter leaves service,
/// and the new meter is installed with its own initial reading.
public struct ExchangeMeter: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func run(
        accountNumber: String, on day: CalendarDay, finalReading: Int64, newSerial: String, newInitialReading: Int64,
        by userID: Int64?, clientAddress: String?
    ) async throws -> Int64 {
        try await database.transaction { connection in
            guard
                let old = try connection.query(
                    """
                    SELECT i.id, i.meter_id, i.account_id, i.installed_on::text AS installed_on, m.serial, m.register_digits, m.multiplier
                    FROM meter_installations i JOIN meters m ON m.id = i.meter_id JOIN accounts a ON a.id = i.account_id
                    WHERE a.account_number = $1 AND i.removed_on IS NULL FOR UPDATE OF i
                    """, [accountNumber]
                ).rows.first
            else { throw InstallMeter.Refused(message: "Account \(accountNumber) has no meter to exchange.") }
            let installationID: Int64 = try old.decode("id")
            let register = MeterRegister(digits: try old.decode("register_digits"), multiplier: try old.decode("multiplier"))
            guard register.canShow(finalReading) else {
                throw InstallMeter.Refused(message: "The old register has \(register.digits) digits, so a reading is at most \(register.size - 1).")
            }
            let last = try connection.query(
                """
                SELECT value, read_on::text AS read_on, $2::date < read_on AS before FROM current_readings
                WHERE installation_id = $1 ORDER BY read_on DESC, id DESC LIMIT 1
                """, [installationID, day.description]
            ).rows[0]
            if try last.decode("before", as: Bool.self) {
                throw InstallMeter.Refused(
                    message: "The old meter was last read on \(try last.decode("read_on", as: String.self)); the exchange cannot be earlier.")
            }
            guard let used = register.units(from: try last.decode("value"), to: finalReading) else {
                throw InstallMeter.Refused(
                    message: "The final reading is lower than the last one, \(try last.decode("value", as: Int64.self)). A meter only counts up.")
            }
            let meterID: Int64 = try old.decode("meter_id")
            let accountID: Int64 = try old.decode("account_id")
            let rawID: Int64 = try connection.query(
                """
                INSERT INTO readings_raw (meter_id, read_at, value, source, submitted_by, payload)
                VALUES ($1, ($2::date + time '12:00')::timestamptz, $3, 'manual', $4, '{"exchange": "final"}') RETURNING id
                """, [meterID, day.description, finalReading, userID]
            ).rows[0].decode("id")
            try connection.execute(
                """
                INSERT INTO readings (installation_id, account_id, raw_id, read_on, value, consumption, kind, created_by)
                VALUES ($1, $2, $3, $4::date, $5, $6, 'final', $7)
                """, [installationID, accountID, rawID, day.description, finalReading, used, userID])
            try connection.execute(
                "UPDATE meter_installations SET removed_on = $2::date, final_reading = $3, removed_by = $4 WHERE id = $1",
                [installationID, day.description, finalReading, userID])
            try connection.execute("UPDATE meters SET status = 'removed' WHERE id = $1", [meterID])
            let newID = try InstallMeter.install(
                on: connection, serial: newSerial, accountNumber: accountNumber, day: day, initialReading: newInitialReading,
                location: nil, by: userID)
            try AuditLog.record(
                on: connection, .meterExchanged, userID: userID, clientAddress: clientAddress,
                details: ["account": accountNumber, "old": try old.decode("serial"), "new": newSerial.uppercased(), "final": String(finalReading)])
            return newID
        }
    }
}
