import Accounts
import Foundation
import Identity
import Notifications
import Platform

/// MT-3, MT-4, MT-6: a reading typed in the field. The raw reading is stored as evidence (append
/// only), and the validated reading derived from it carries the units used since the last one.
/// Refused with a message: a reading lower than the last (unless the register turned over), a
/// date in the future, before the installation or before the last reading. Stored but flagged:
/// daily use far above the account's usual, or none at all on a live premise for a month.
public struct RecordReading: Sendable {
    public let database: Database
    public let highUseFactor: Int

    public init(database: Database, highUseFactor: Int) {
        self.database = database
        self.highUseFactor = highUseFactor
    }

    public struct Input: Sendable {
        public var accountNumber: String
        public var value: String?
        public var date: String?
        public var note: String?
        public var idempotencyKey: String?
        public var readerID: Int64
        public var clientAddress: String

        public init(
            accountNumber: String, value: String? = nil, date: String? = nil, note: String? = nil, idempotencyKey: String? = nil, readerID: Int64,
            clientAddress: String
        ) {
            self.accountNumber = accountNumber
            self.value = value
            self.date = date
            self.note = note
            self.idempotencyKey = idempotencyKey
            self.readerID = readerID
            self.clientAddress = clientAddress
        }
    }

    public enum Field: Sendable { case value, date, note, form }

    public struct Refused: Error, Equatable {
        public let field: Field
        public let message: String

        public init(field: Field, message: String) {
            self.field = field
            self.message = message
        }
    }

    public enum Outcome: Equatable, Sendable {
        case recorded(consumption: Int64, flag: Flag?)
        /// The same form was submitted before: nothing new is stored.
        case alreadyRecorded
    }

    public typealias Flag = UsualUse.Flag

    /// Turns a typed register value into a number: digits only (spaces allowed), at most 10.
    public static func registerValue(_ typed: String?) -> Int64? {
        let digits = (typed ?? "").filter { !$0.isWhitespace }
        guard (1...10).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(digits)
    }

    public func record(_ input: Input) async throws -> Outcome {
        guard let key = input.idempotencyKey, (16...64).contains(key.utf8.count),
            key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { throw Refused(field: .form, message: "This form has expired. Open the account again and re-enter the reading.") }
        guard let value = Self.registerValue(input.value) else {
            throw Refused(field: .value, message: "Enter the digits shown on the meter's register, for example 004521.")
        }
        guard let day = CalendarDay(input.date) else {
            throw Refused(field: .date, message: "Enter the date the meter was read, as YYYY-MM-DD.")
        }
        let note = Normalise.text(input.note)
        if let note, note.count > 500 { throw Refused(field: .note, message: "Keep the note under 500 characters.") }
        do {
            return try await database.transaction { connection in
                try record(on: connection, input, key: key, value: value, day: day, note: note)
            }
        } catch let error as DatabaseError where error.isUniqueViolation && error.constraint == "readings_raw_idempotency_key_key" {
            // The same form, submitted twice at once: the first one stored it.
            return .alreadyRecorded
        }
    }

    private func record(
        on connection: PostgresConnection, _ input: Input, key: String, value: Int64, day: CalendarDay, note: String?
    ) throws -> Outcome {
        if try !connection.query("SELECT 1 FROM readings_raw WHERE idempotency_key = $1", [key]).rows.isEmpty {
            return .alreadyRecorded
        }
        guard
            let account = try connection.query(
                "SELECT id, status FROM accounts WHERE account_number = $1", [input.accountNumber]
            ).rows.first
        else { throw NotFound("account") }
        let accountID: Int64 = try account.decode("id")
        // Locking the live installation serialises readings of one premise.
        guard
            let meter = try connection.query(
                """
                SELECT i.id, i.meter_id, i.installed_on::text AS installed_on, m.register_digits, m.multiplier
                FROM meter_installations i JOIN meters m ON m.id = i.meter_id
                WHERE i.account_id = $1 AND i.removed_on IS NULL FOR UPDATE OF i
                """, [accountID]
            ).rows.first
        else {
            throw Refused(field: .value, message: "This account has no meter installed, so there is nothing to read. Report it to the office.")
        }
        let installationID: Int64 = try meter.decode("id")
        let register = MeterRegister(digits: try meter.decode("register_digits"), multiplier: try meter.decode("multiplier"))
        guard register.canShow(value) else {
            throw Refused(
                field: .value, message: "This meter's register has \(register.digits) digits, so a reading is at most \(register.size - 1).")
        }
        let installedOn: String = try meter.decode("installed_on")
        let dates = try connection.query(
            "SELECT $1::date > (\(connection.now))::date AS future, $1::date < $2::date AS before_install",
            [day.description, installedOn]
        ).rows[0]
        if try dates.decode("future", as: Bool.self) { throw Refused(field: .date, message: "The date cannot be in the future.") }
        if try dates.decode("before_install", as: Bool.self) {
            throw Refused(field: .date, message: "This meter was installed on \(installedOn); the date cannot be earlier.")
        }
        let previous = try connection.query(
            """
            SELECT read_on::text AS read_on, value, $2::date - read_on AS days FROM current_readings
            WHERE installation_id = $1 ORDER BY read_on DESC, id DESC LIMIT 1
            """, [installationID, day.description]
        ).rows.first
        let previousValue: Int64 = try previous?.decode("value") ?? 0
        let previousDay: String = try previous?.decode("read_on") ?? installedOn
        let days: Int = try previous?.decode("days") ?? 0
        if days < 0 {
            throw Refused(field: .date, message: "The last reading was taken on \(previousDay); this date cannot be earlier.")
        }
        guard let consumption = register.units(from: previousValue, to: value) else {
            throw Refused(
                field: .value,
                message: "This is lower than the last reading, \(previousValue) on \(previousDay). A meter only counts up: check the digits.")
        }
        let flag = try UsualUse.flag(
            on: connection, accountID: accountID, day: day, consumption: consumption, days: days, factor: highUseFactor,
            live: try account.decode("status", as: String.self) == "active")

        let payload = String(
            decoding: try JSONEncoder().encode(
                ["value": input.value ?? "", "date": input.date ?? "", "note": input.note ?? ""]), as: UTF8.self)
        let rawID: Int64 = try connection.query(
            """
            INSERT INTO readings_raw (meter_id, read_at, value, source, submitted_by, idempotency_key, note, payload)
            VALUES ($1, ($2::date + time '12:00')::timestamptz, $3, 'manual', $4, $5, $6, $7::jsonb) RETURNING id
            """, [try meter.decode("meter_id", as: Int64.self), day.description, value, input.readerID, key, note, payload]
        ).rows[0].decode("id")
        let readingID: Int64 = try connection.query(
            """
            INSERT INTO readings (installation_id, account_id, raw_id, read_on, value, consumption, kind, flag, created_by)
            VALUES ($1, $2, $3, $4::date, $5, $6, 'actual', $7, $8) RETURNING id
            """, [installationID, accountID, rawID, day.description, value, consumption, flag?.rawValue, input.readerID]
        ).rows[0].decode("id")
        if let flag {
            try RaiseAlert.raise(
                on: connection, accountID: accountID, readingID: readingID,
                kind: flag == .highUse ? .spike : .zeroUse, day: day, consumption: consumption, days: days)
        }
        try AuditLog.record(
            on: connection, .readingRecorded, userID: input.readerID, clientAddress: input.clientAddress,
            details: ["account": input.accountNumber, "value": String(value), "date": day.description])
        return .recorded(consumption: consumption, flag: flag)
    }
}
