import Accounts
import Identity
import Notifications
import Platform

/// MT-4, MT-6: a validated reading derived from a smart meter's raw message. Unlike a typed
/// reading, a smart meter's reading is never refused, because it is what the meter said: a
/// register that ran backwards is stored, flagged as reverse flow and raises an alert; so does a
/// spike, or a month without use.
enum DeriveReading {
    struct Raw {
        let id: Int64
        let meterID: Int64
        let day: CalendarDay
        let value: Int64
        let installationID: Int64
        let accountID: Int64
        let register: MeterRegister
        let live: Bool
    }

    static func derive(_ raw: Raw, highUseFactor: Int, on connection: PostgresConnection) throws {
        let (installationID, accountID, day) = (raw.installationID, raw.accountID, raw.day)
        let previous = try connection.query(
            """
            SELECT value, $2::date - read_on AS days FROM current_readings
            WHERE installation_id = $1 AND read_on <= $2::date ORDER BY read_on DESC, id DESC LIMIT 1
            """, [installationID, day.description]
        ).rows.first
        let previousValue: Int64 = try previous?.decode("value") ?? raw.value
        let days: Int = try previous?.decode("days") ?? 0
        var flag: String?
        var consumption: Int64 = 0
        var alert: RaiseAlert.Kind?
        if let units = raw.register.units(from: previousValue, to: raw.value) {
            consumption = units
            if let check = try UsualUse.flag(
                on: connection, accountID: accountID, day: day, consumption: units, days: days, factor: highUseFactor, live: raw.live)
            {
                flag = check.rawValue
                alert = check == .highUse ? .spike : .zeroUse
            }
        } else {
            flag = "reverse_flow"
            alert = .reverseFlow
        }
        let readingID: Int64 = try connection.query(
            """
            INSERT INTO readings (installation_id, account_id, raw_id, read_on, value, consumption, kind, flag)
            VALUES ($1, $2, $3, $4::date, $5, $6, 'actual', $7) RETURNING id
            """, [installationID, accountID, raw.id, day.description, raw.value, consumption, flag]
        ).rows[0].decode("id")
        if let alert {
            try RaiseAlert.raise(
                on: connection, accountID: accountID, readingID: readingID, kind: alert, day: day,
                consumption: alert == .reverseFlow ? previousValue - raw.value : consumption, days: days)
        }
    }
}
