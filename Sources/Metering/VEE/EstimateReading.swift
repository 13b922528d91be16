import Accounts
import Identity
import Notifications
import Platform

/// MT-5: when a billing period ends without an actual reading, the reading is estimated from the
/// premise's history: the same days last year when the history reaches back that far, else the
/// recent average daily use. The estimate is a reading of kind `estimated`, with no raw reading
/// behind it; an actual reading taken later simply follows it.
public struct EstimateReading: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public enum Basis: String, Sendable, Equatable {
        case lastYear = "same period last year"
        case recentAverage = "recent average daily use"
    }

    public enum Outcome: Sendable, Equatable {
        /// There is a reading on that day already: nothing to estimate.
        case actualExists(value: Int64)
        case estimated(value: Int64, consumption: Int64, basis: Basis)
        /// No meter, or too little history to estimate from.
        case cannotEstimate(String)
    }

    public func estimate(accountNumber: String, periodEnd day: CalendarDay, by userID: Int64?) async throws -> Outcome {
        try await database.transaction { connection in
            try Self.estimate(on: connection, accountNumber: accountNumber, periodEnd: day, by: userID)
        }
    }

    public static func estimate(on connection: PostgresConnection, accountNumber: String, periodEnd day: CalendarDay, by userID: Int64?) throws
        -> Outcome
    {
        guard
            let meter = try connection.query(
                """
                SELECT i.id, i.account_id, m.register_digits, m.multiplier, $2::date - date '2000-01-01' AS end_day
                FROM meter_installations i JOIN meters m ON m.id = i.meter_id JOIN accounts a ON a.id = i.account_id
                WHERE a.account_number = $1 AND i.removed_on IS NULL AND i.installed_on <= $2::date FOR UPDATE OF i
                """, [accountNumber, day.description]
            ).rows.first
        else { return .cannotEstimate("There is no meter installed at \(accountNumber) on \(day).") }
        let installationID: Int64 = try meter.decode("id")
        if let existing: Int64 = try connection.query(
            "SELECT value FROM current_readings WHERE installation_id = $1 AND read_on = $2::date ORDER BY id DESC LIMIT 1",
            [installationID, day.description]
        ).rows.first?.decode("value") {
            return .actualExists(value: existing)
        }
        let history = try UsageHistory.load(on: connection, installationID: installationID)
        guard
            let previous = try connection.query(
                """
                SELECT value, read_on - date '2000-01-01' AS day FROM current_readings
                WHERE installation_id = $1 AND read_on < $2::date ORDER BY read_on DESC, id DESC LIMIT 1
                """, [installationID, day.description]
            ).rows.first
        else { return .cannotEstimate("There is no reading before \(day) to estimate from.") }
        let previousDay: Int = try previous.decode("day")
        let endDay: Int = try meter.decode("end_day")
        let register = MeterRegister(digits: try meter.decode("register_digits"), multiplier: try meter.decode("multiplier"))

        let used: Double
        let basis: Basis
        if let lastYear = history.used(from: previousDay - 365, to: endDay - 365) {
            (used, basis) = (lastYear, .lastYear)
        } else if let daily = history.recentDaily() {
            (used, basis) = (daily * Double(endDay - previousDay), .recentAverage)
        } else {
            return .cannotEstimate("There is not enough history at \(accountNumber) to estimate from.")
        }
        let steps = Int64((used / Double(register.multiplier)).rounded())
        let value = (try previous.decode("value", as: Int64.self) + steps) % register.size
        let consumption = steps * register.multiplier
        try connection.execute(
            """
            INSERT INTO readings (installation_id, account_id, read_on, value, consumption, kind, reason, created_by)
            VALUES ($1, $2, $3::date, $4, $5, 'estimated', $6, $7)
            """,
            [
                installationID, try meter.decode("account_id", as: Int64.self), day.description, value, consumption,
                "Estimated from the \(basis.rawValue)", userID,
            ])
        return .estimated(value: value, consumption: consumption, basis: basis)
    }
}
