import Accounts
import Foundation
import Identity
import Notifications
import Platform

/// MT-4, MT-6: a reading a smart meter sent through the device bridge. The raw message is kept as
/// evidence exactly once per (meter, sequence number): a message delivered again stores nothing.
/// Unlike a typed reading, a smart meter's reading is never refused, because it is what the
/// meter said: a register that ran backwards is stored, flagged as reverse flow and raises an
/// alert; so does a spike, or a month without use.
public struct IngestReading: Sendable {
    public let database: Database
    public let highUseFactor: Int

    public init(database: Database, highUseFactor: Int) {
        self.database = database
        self.highUseFactor = highUseFactor
    }

    public struct Message: Sendable, Equatable {
        public let serial: String
        public let sequence: Int64
        public let readAt: Date
        public let value: Int64
        /// The signed message as the bridge received it.
        public let payload: String

        public init(serial: String, sequence: Int64, readAt: Date, value: Int64, payload: String) {
            self.serial = serial
            self.sequence = sequence
            self.readAt = readAt
            self.value = value
            self.payload = payload
        }
    }

    public enum Outcome: Sendable, Equatable {
        case stored(consumption: Int64, flag: String?)
        case duplicate
        case unknownMeter
    }

    public func ingest(_ message: Message) async throws -> Outcome {
        do {
            return try await database.transaction { connection in try ingest(message, on: connection) }
        } catch let error as DatabaseError where error.isUniqueViolation && error.constraint == "readings_raw_meter_id_device_sequence_key" {
            return .duplicate
        }
    }

    private func ingest(_ message: Message, on connection: PostgresConnection) throws -> Outcome {
        guard
            let meter = try connection.query(
                """
                SELECT m.id, m.register_digits, m.multiplier, i.id AS installation_id, i.account_id, a.status,
                       $2::timestamptz::date::text AS day
                FROM meters m
                LEFT JOIN meter_installations i ON i.meter_id = m.id AND i.removed_on IS NULL
                LEFT JOIN accounts a ON a.id = i.account_id
                WHERE m.serial = $1 AND m.kind IN ('smart', 'prepaid')
                FOR UPDATE OF m
                """, [message.serial, PostgresTimestamp.format(message.readAt)]
            ).rows.first
        else { return .unknownMeter }
        let meterID: Int64 = try meter.decode("id")
        if try !connection.query(
            "SELECT 1 FROM readings_raw WHERE meter_id = $1 AND device_sequence = $2", [meterID, message.sequence]
        ).rows.isEmpty {
            return .duplicate
        }
        let rawID: Int64 = try connection.query(
            """
            INSERT INTO readings_raw (meter_id, read_at, value, source, device_sequence, payload)
            VALUES ($1, $2::timestamptz, $3, 'bridge', $4, jsonb_build_object('message', $5::text)) RETURNING id
            """, [meterID, PostgresTimestamp.format(message.readAt), message.value, message.sequence, message.payload]
        ).rows[0].decode("id")
        // A meter not installed anywhere still has its message kept; there is nothing to derive.
        guard let installationID: Int64 = try meter.decode("installation_id"), let day = CalendarDay(try meter.decode("day", as: String.self))
        else { return .stored(consumption: 0, flag: nil) }
        let accountID: Int64 = try meter.decode("account_id")
        let register = MeterRegister(digits: try meter.decode("register_digits"), multiplier: try meter.decode("multiplier"))
        let previous = try connection.query(
            """
            SELECT value, $2::date - read_on AS days FROM current_readings
            WHERE installation_id = $1 AND read_on <= $2::date ORDER BY read_on DESC, id DESC LIMIT 1
            """, [installationID, day.description]
        ).rows.first
        let previousValue: Int64 = try previous?.decode("value") ?? message.value
        let days: Int = try previous?.decode("days") ?? 0
        var flag: String?
        var consumption: Int64 = 0
        var alert: RaiseAlert.Kind?
        if let units = register.units(from: previousValue, to: message.value) {
            consumption = units
            if let check = try UsualUse.flag(
                on: connection, accountID: accountID, day: day, consumption: units, days: days, factor: highUseFactor,
                live: try meter.decode("status", as: String.self) == "active")
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
            """, [installationID, accountID, rawID, day.description, message.value, consumption, flag]
        ).rows[0].decode("id")
        if let alert {
            try RaiseAlert.raise(
                on: connection, accountID: accountID, readingID: readingID, kind: alert, day: day,
                consumption: alert == .reverseFlow ? previousValue - message.value : consumption, days: days)
        }
        return .stored(consumption: consumption, flag: flag)
    }
}
