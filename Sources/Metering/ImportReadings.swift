import Accounts
import Foundation
import Identity
import Notifications
import Platform

/// MT-4: readings from a CSV file (`account_number,date,value[,note]`, a header line first),
/// as a utility's old system or a contractor exports them. The file is loaded with COPY into a
/// staging table and checked as a whole by the same rules as a reading typed in the field; any
/// bad line refuses the whole file, with every bad line reported, so nothing is half-imported.
/// Importing a file again stores nothing twice: a line whose meter already has that value on
/// that day is recognised and skipped. A spreadsheet's "CSV UTF-8" (with a byte-order mark) imports.
public struct ImportReadings: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }
    public static let maximumLines = 1_000_000

    public struct LineError: Sendable, Equatable, Encodable {
        public let line: Int
        public let message: String

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }
    }

    public enum Outcome: Sendable, Equatable {
        /// `skipped`: lines already stored by an earlier import or reading.
        case imported(count: Int, skipped: Int)
        case refused([LineError])
    }

    public func run(csv: String, fileName: String, by userID: Int64, clientAddress: String?) async throws -> Outcome {
        let records: [CSVReader.Record]
        // Spreadsheets save "CSV UTF-8" with a byte-order mark before the header.
        let csv = csv.unicodeScalars.first == "\u{FEFF}" ? String(csv.unicodeScalars.dropFirst()) : csv
        do {
            records = try CSVReader.records(csv)
        } catch let malformed as CSVReader.Malformed {
            return .refused([LineError(line: malformed.line, message: "A quoted field is not closed.")])
        }
        guard let header = records.first else { return .refused([LineError(line: 1, message: "The file is empty.")]) }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard names.count >= 3, Array(names.prefix(3)) == ["account_number", "date", "value"], names.count <= 4,
            names.count == 3 || names[3] == "note"
        else {
            return .refused([LineError(line: header.line, message: "The first line must be: account_number,date,value (and optionally ,note).")])
        }
        let lines = records.dropFirst()
        guard !lines.isEmpty else { return .refused([LineError(line: header.line, message: "There are no readings after the header.")]) }
        guard lines.count <= Self.maximumLines else {
            return .refused([LineError(line: header.line, message: "At most \(Self.maximumLines) readings per file.")])
        }
        var errors = [LineError]()
        var staged = [[String?]]()
        staged.reserveCapacity(lines.count)
        for record in lines {
            let fields = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            guard !fields.contains(where: { $0.contains("\u{0}") }) else {
                errors.append(
                    LineError(line: record.line, message: "The line holds a NUL character, which cannot be stored. Remove it and try again."))
                continue
            }
            guard fields.count == names.count || (fields.count == 3 && names.count == 4) else {
                errors.append(LineError(line: record.line, message: "Expected \(names.count) fields, found \(fields.count)."))
                continue
            }
            guard (6...16).contains(fields[0].utf8.count), fields[0].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                errors.append(LineError(line: record.line, message: "The account number must be 6 to 16 digits."))
                continue
            }
            guard let day = CalendarDay(fields[1]) else {
                errors.append(LineError(line: record.line, message: "The date must be a real day written YYYY-MM-DD."))
                continue
            }
            guard let value = RecordReading.registerValue(fields[2]) else {
                errors.append(LineError(line: record.line, message: "The value must be the digits of the register."))
                continue
            }
            let note = fields.count > 3 ? Normalise.text(fields[3]) : nil
            if let note, note.count > 500 {
                errors.append(LineError(line: record.line, message: "The note is over 500 characters."))
                continue
            }
            staged.append([String(record.line), fields[0], day.description, String(value), note])
        }
        let (rows, lineErrors) = (staged, errors)
        // A failure found here rolls the transaction back: nothing of the file stays.
        struct Refusal: Error { let errors: [LineError] }
        do {
            return try await database.transaction { connection in
                try connection.execute(
                    "CREATE TEMP TABLE import_lines (line int, account_number text, read_on date, value bigint, note text) ON COMMIT DROP")
                try connection.copyIn("COPY import_lines FROM STDIN", rows: rows)
                try connection.execute("ANALYZE import_lines")
                let all = lineErrors + (try Self.check(on: connection))
                guard all.isEmpty else { throw Refusal(errors: all) }
                let count = try Self.store(on: connection, fileName: fileName, by: userID)
                try AuditLog.record(
                    on: connection, .readingsImported, userID: userID, clientAddress: clientAddress,
                    details: ["file": String(fileName.prefix(200)), "readings": String(count)])
                return .imported(count: count, skipped: rows.count - count)
            }
        } catch let refusal as Refusal {
            return .refused(refusal.errors.sorted { $0.line < $1.line })
        }
    }

    /// Every rule a field reading obeys, checked for all staged lines at once. Lines of one
    /// premise are taken in date order, each against the one before (or the last stored reading).
    private static func check(on connection: PostgresConnection) throws -> [LineError] {
        try connection.query(
            """
            WITH staged AS (
                SELECT l.*, a.id AS account_id, i.id AS installation_id, i.installed_on, m.register_digits,
                       (10::numeric ^ m.register_digits)::bigint AS size,
                       count(*) OVER (PARTITION BY l.account_number, l.read_on) AS same_day,
                       lag(l.value) OVER w AS value_before, lag(l.read_on) OVER w AS day_before
                FROM import_lines l
                LEFT JOIN accounts a ON a.account_number = l.account_number
                LEFT JOIN meter_installations i ON i.account_id = a.id AND i.removed_on IS NULL
                LEFT JOIN meters m ON m.id = i.meter_id
                WINDOW w AS (PARTITION BY l.account_number ORDER BY l.read_on, l.line)
            ), compared AS (
                SELECT s.*, coalesce(s.value_before, last.value) AS previous, coalesce(s.day_before, last.read_on) AS previous_day,
                       stored.value AS stored_value
                FROM staged s
                LEFT JOIN LATERAL (
                    SELECT value, read_on FROM current_readings c WHERE c.installation_id = s.installation_id
                    ORDER BY read_on DESC, id DESC LIMIT 1
                ) last ON true
                LEFT JOIN LATERAL (
                    SELECT value FROM current_readings c WHERE c.installation_id = s.installation_id AND c.read_on = s.read_on
                    ORDER BY id DESC LIMIT 1
                ) stored ON true
            )
            SELECT line, CASE
                WHEN account_id IS NULL THEN 'There is no account ' || account_number || '.'
                WHEN installation_id IS NULL THEN 'Account ' || account_number || ' has no meter installed.'
                WHEN same_day > 1 THEN 'Account ' || account_number || ' has more than one reading on ' || read_on || ' in this file.'
                WHEN stored_value = value THEN NULL
                WHEN stored_value IS NOT NULL
                    THEN 'Account ' || account_number || ' already has the reading ' || stored_value || ' on ' || read_on || '.'
                WHEN value >= size THEN 'The register has ' || register_digits || ' digits, so a reading is at most ' || (size - 1) || '.'
                WHEN read_on > (\(connection.now))::date THEN 'The date ' || read_on || ' is in the future.'
                WHEN read_on < installed_on THEN 'The meter was installed on ' || installed_on || ', after ' || read_on || '.'
                WHEN read_on < previous_day THEN 'The last reading of ' || account_number || ' is on ' || previous_day || ', after ' || read_on || '.'
                WHEN value < previous AND NOT (previous >= size * 9 / 10 AND value < size / 10)
                    THEN 'The value ' || value || ' is lower than the reading before it, ' || previous || '.'
                END AS message
            FROM compared
            """
        ).rows.compactMap { row in
            guard let message: String = try row.decode("message") else { return nil }
            return LineError(line: try row.decode("line"), message: message)
        }
    }

    private static func store(on connection: PostgresConnection, fileName: String, by userID: Int64) throws -> Int {
        try connection.execute(
            """
            CREATE TEMP TABLE import_stored ON COMMIT DROP AS
            SELECT l.line, l.read_on, l.value, l.note, a.id AS account_id, i.id AS installation_id, m.id AS meter_id,
                   (10::numeric ^ m.register_digits)::bigint AS size, m.multiplier,
                   coalesce(lag(l.value) OVER (PARTITION BY l.account_number ORDER BY l.read_on, l.line),
                            (SELECT value FROM current_readings c WHERE c.installation_id = i.id ORDER BY read_on DESC, id DESC LIMIT 1)) AS previous
            FROM import_lines l
            JOIN accounts a ON a.account_number = l.account_number
            JOIN meter_installations i ON i.account_id = a.id AND i.removed_on IS NULL
            JOIN meters m ON m.id = i.meter_id
            """)
        // Lines already stored (an import done before) are not stored again.
        try connection.execute(
            """
            DELETE FROM import_stored s
            WHERE EXISTS (SELECT 1 FROM current_readings c WHERE c.installation_id = s.installation_id AND c.read_on = s.read_on)
            """)
        // The raw rows first, then the validated readings joined to them: one (meter, day) per file.
        return try connection.execute(
            """
            WITH raw AS (
                INSERT INTO readings_raw (meter_id, read_at, value, source, submitted_by, note, payload)
                SELECT meter_id, (read_on + time '12:00')::timestamptz, value, 'import', $1, note,
                       jsonb_build_object('file', $2::text, 'line', line)
                FROM import_stored
                RETURNING id, meter_id, read_at
            )
            INSERT INTO readings (installation_id, account_id, raw_id, read_on, value, consumption, kind, created_by)
            SELECT s.installation_id, s.account_id, r.id, s.read_on, s.value,
                   (CASE WHEN s.value >= s.previous THEN s.value - s.previous ELSE s.size - s.previous + s.value END) * s.multiplier,
                   'actual', $1
            FROM import_stored s
            JOIN raw r ON r.meter_id = s.meter_id AND r.read_at = (s.read_on + time '12:00')::timestamptz
            """, [userID, String(fileName.prefix(200))])
    }
}
