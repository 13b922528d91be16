import Accounts
import Identity
import Notifications
import Platform

/// MT-5: a reading found wrong is corrected by a new reading that names the one it replaces and
/// why; the old row stays. The units of the reading after it are recounted the same way, so the
/// units used still add up to how far the register moved.
public struct CorrectReading: Sendable {
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

    /// Returns the id of the correcting reading.
    public func correct(readingID: Int64, value: Int64, reason: String?, by userID: Int64, clientAddress: String?) async throws -> Int64 {
        guard let reason = Normalise.text(reason), (3...500).contains(reason.count) else {
            throw Refused(message: "Say why the reading is corrected (3 to 500 characters).")
        }
        return try await database.transaction { connection in
            guard
                let old = try connection.query(
                    """
                    SELECT r.installation_id, r.account_id, r.read_on::text AS read_on, r.kind, m.register_digits, m.multiplier
                    FROM current_readings r JOIN meter_installations i ON i.id = r.installation_id JOIN meters m ON m.id = i.meter_id
                    WHERE r.id = $1 FOR UPDATE OF i
                    """, [readingID]
                ).rows.first
            else { throw Refused(message: "That reading does not exist, or has been corrected already.") }
            guard try old.decode("kind", as: String.self) != "initial" else {
                throw Refused(message: "An installation's initial reading is corrected by exchanging the installation record, not here.")
            }
            let installationID: Int64 = try old.decode("installation_id")
            let readOn: String = try old.decode("read_on")
            let register = MeterRegister(digits: try old.decode("register_digits"), multiplier: try old.decode("multiplier"))
            guard register.canShow(value) else { throw Refused(message: "The register shows at most \(register.size - 1).") }
            let neighbours = try connection.query(
                """
                SELECT id, value, read_on::text AS read_on, kind, raw_id, flag,
                       CASE WHEN (read_on, id) < ($2::date, $3::bigint) THEN 'before' ELSE 'after' END AS side
                FROM current_readings WHERE installation_id = $1 AND id <> $3
                ORDER BY read_on, id
                """, [installationID, readOn, readingID]
            ).rows
            let before = try neighbours.last { try $0.decode("side", as: String.self) == "before" }
            let after = try neighbours.first { try $0.decode("side", as: String.self) == "after" }
            guard let before, let used = register.units(from: try before.decode("value"), to: value) else {
                throw Refused(message: "The corrected value is lower than the reading before it.")
            }
            var nextUsed: Int64?
            if let after {
                guard let units = register.units(from: value, to: try after.decode("value")) else {
                    throw Refused(message: "The corrected value is higher than the reading after it, \(try after.decode("value", as: Int64.self)).")
                }
                nextUsed = units
            }
            let accountID: Int64 = try old.decode("account_id")
            let newID: Int64 = try connection.query(
                """
                INSERT INTO readings (installation_id, account_id, raw_id, read_on, value, consumption, kind, corrects_id, reason, created_by)
                SELECT installation_id, account_id, raw_id, read_on, $2, $3, 'correction', id, $4, $5 FROM readings WHERE id = $1
                RETURNING id
                """, [readingID, value, used, reason, userID]
            ).rows[0].decode("id")
            if let after, let nextUsed {
                try connection.execute(
                    """
                    INSERT INTO readings (installation_id, account_id, raw_id, read_on, value, consumption, kind, corrects_id, reason, created_by)
                    SELECT installation_id, account_id, raw_id, read_on, value, $2, 'correction', id, $3, $4 FROM readings WHERE id = $1
                    """, [try after.decode("id", as: Int64.self), nextUsed, "Units recounted after the reading of \(readOn) was corrected", userID])
            }
            try AuditLog.record(
                on: connection, .readingCorrected, userID: userID, clientAddress: clientAddress,
                details: ["reading": String(readingID), "value": String(value), "reason": reason, "account_id": String(accountID)])
            return newID
        }
    }
}
