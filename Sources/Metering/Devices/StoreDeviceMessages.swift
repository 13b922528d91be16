import Accounts
import Foundation
import Identity
import Notifications
import Platform

/// MT-4, MT-7, BR-1: a batch of verified meter messages from a bridge, as lines of COPY text
/// (serial, sequence, kind, time, wh, dv, dbm, relay, tamper, frame). Each raw message is stored
/// once per (meter, sequence): a batch delivered again stores nothing new, so the bridge may
/// send it as often as it needs to. In the same transaction:
///  - a meter's first reading of a day becomes that day's validated reading (the daily register
///    read), unless the premise has a reading of that day or later already;
///  - health messages update the meter's health, and a tamper switch newly open raises an alert;
///  - the meter's last sequence and when it was last heard from are kept.
public struct StoreDeviceMessages: Sendable {
    public let database: Database
    public let highUseFactor: Int

    public init(database: Database, highUseFactor: Int) {
        self.database = database
        self.highUseFactor = highUseFactor
    }

    public struct Outcome: Sendable, Equatable, Encodable {
        public var stored = 0
        public var duplicates = 0
        public var unknownMeters = 0
        public var readings = 0
        /// Meters' answers to commands.
        public var answers = 0
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case unusable(line: Int, why: String)

        public var description: String {
            switch self {
            case .unusable(let line, let why): "line \(line) of the batch is unusable: \(why)"
            }
        }
    }

    static let fields = 10

    public func store(_ batch: [UInt8]) async throws -> Outcome {
        try Self.check(batch)
        do {
            return try await database.transaction { connection in try store(batch, on: connection) }
        } catch let error as DatabaseError where error.sqlState?.hasPrefix("22") == true {
            // A value COPY cannot take (a number that is not one): the whole batch, said once.
            throw Refusal.unusable(line: 0, why: error.message)
        }
    }

    /// Every line complete, with its ten fields: a cut-off batch is refused before anything is stored.
    static func check(_ batch: [UInt8]) throws {
        var line = 1
        var tabs = 0
        for byte in batch {
            if byte == 0x09 { tabs += 1 }
            if byte == 0x0A {
                guard tabs == fields - 1 else { throw Refusal.unusable(line: line, why: "\(tabs + 1) fields, not \(fields)") }
                line += 1
                tabs = 0
            }
        }
        guard batch.isEmpty || batch.last == 0x0A else { throw Refusal.unusable(line: line, why: "the line is cut off") }
    }

    private func store(_ batch: [UInt8], on connection: PostgresConnection) throws -> Outcome {
        var outcome = Outcome()
        try connection.execute(
            """
            CREATE TEMP TABLE incoming (
                serial text, sequence bigint, kind text, time bigint, wh bigint, dv integer, dbm integer, relay text,
                tamper boolean, frame text
            ) ON COMMIT DROP
            """)
        let received = try connection.copyIn("COPY incoming FROM STDIN", text: batch)
        // Only what a registered smart meter could have said, with a time this century; values
        // outside what the meter table holds are dropped rather than failing the batch.
        try connection.execute(
            """
            CREATE TEMP TABLE known ON COMMIT DROP AS
            SELECT m.id AS meter_id, m.register_digits, i.sequence, i.kind, to_timestamp(i.time) AS read_at,
                   (i.wh / 1000) % (10::bigint ^ m.register_digits)::bigint AS value,
                   CASE WHEN i.dv BETWEEN 0 AND 10000 THEN i.dv / 10.0 END AS voltage,
                   CASE WHEN i.dbm BETWEEN -150 AND 0 THEN i.dbm END AS signal,
                   CASE i.relay WHEN 'on' THEN 'connected' WHEN 'off' THEN 'disconnected' END AS relay,
                   i.tamper, i.frame
            FROM incoming i JOIN meters m ON m.serial = i.serial AND m.kind IN ('smart', 'prepaid')
            WHERE i.sequence > 0 AND i.time BETWEEN 946684800 AND 4102444800
              AND (i.kind IN ('health', 'ack') OR (i.kind = 'reading' AND i.wh >= 0))
            """)
        let known = try connection.query("SELECT count(*) AS n, count(*) FILTER (WHERE kind = 'reading') AS readings FROM known").rows[0]
        outcome.unknownMeters = received - (try known.decode("n", as: Int.self))
        try connection.execute(
            """
            CREATE TEMP TABLE stored ON COMMIT DROP AS
            WITH stored AS (
                INSERT INTO readings_raw (meter_id, read_at, value, source, device_sequence, payload)
                SELECT meter_id, read_at, value, 'bridge', sequence, jsonb_build_object('frame', frame) FROM known
                WHERE kind = 'reading'
                ON CONFLICT (meter_id, device_sequence) DO NOTHING
                RETURNING id, meter_id, read_at, value
            )
            SELECT * FROM stored
            """)
        outcome.stored = try connection.query("SELECT count(*) AS n FROM stored").rows[0].decode("n")
        outcome.duplicates = try known.decode("readings", as: Int.self) - outcome.stored
        try recordHealth(on: connection)
        outcome.answers = try recordAnswers(on: connection)
        outcome.readings = try deriveReadings(on: connection)
        return outcome
    }

    /// Last heard from and last sequence from every message; voltage, signal, relay and tamper
    /// from the newest health message; an alert when a tamper switch is newly open.
    private func recordHealth(on connection: PostgresConnection) throws {
        let tampered = try connection.query(
            """
            WITH health AS (
                SELECT DISTINCT ON (meter_id) meter_id, read_at, voltage, signal, relay, tamper FROM known
                WHERE kind = 'health' ORDER BY meter_id, sequence DESC
            )
            SELECT h.meter_id, i.account_id, h.read_at::date::text AS day FROM health h
            JOIN meter_installations i ON i.meter_id = h.meter_id AND i.removed_on IS NULL
            LEFT JOIN meter_health mh ON mh.meter_id = h.meter_id
            WHERE h.tamper AND NOT coalesce(mh.tamper, false)
            """
        ).rows
        try connection.execute(
            """
            INSERT INTO meter_health (meter_id, last_seen_at, last_sequence)
            SELECT meter_id, max(read_at), max(sequence) FROM known GROUP BY meter_id
            ON CONFLICT (meter_id) DO UPDATE SET
                last_seen_at = greatest(meter_health.last_seen_at, EXCLUDED.last_seen_at),
                last_sequence = greatest(meter_health.last_sequence, EXCLUDED.last_sequence)
            """)
        try connection.execute(
            """
            UPDATE meter_health mh SET voltage = h.voltage, signal_dbm = h.signal, relay = coalesce(h.relay, mh.relay),
                tamper = coalesce(h.tamper, mh.tamper)
            FROM (
                SELECT DISTINCT ON (meter_id) meter_id, voltage, signal, relay, tamper FROM known
                WHERE kind = 'health' ORDER BY meter_id, sequence DESC
            ) h
            WHERE mh.meter_id = h.meter_id
            """)
        try RaiseAlert.raise(
            try tampered.compactMap { row in
                guard let day = CalendarDay(try row.decode("day", as: String.self)) else { return nil }
                return RaiseAlert.Alert(accountID: try row.decode("account_id"), readingID: nil, kind: .tamper, day: day, consumption: 0, days: 0)
            }, on: connection)
    }

    /// BR-3: a meter's signed ack of a portal command closes it with the meter's answer. Only the
    /// first answer counts; the frame is read as JSON here, where PostgreSQL reads it once.
    private func recordAnswers(on connection: PostgresConnection) throws -> Int {
        try connection.query(
            """
            WITH acks AS MATERIALIZED (  -- so that the cast below meets only the rows that pass its filter
                -- The body after the frame's 128 hex digits of signature (SignedFrame).
                SELECT meter_id, read_at, substr(frame, 129)::jsonb AS body FROM known
                -- What jsonb cannot hold (an escaped NUL or surrogate) would fail the whole batch: such
                -- an ack stays unanswered, and its command is offered again until it expires.
                WHERE kind = 'ack' AND frame !~* '\\\\u(0000|d[89a-f])'
            ), answered AS (
                UPDATE meter_commands c
                SET answered_at = a.read_at, ok = coalesce(a.body->>'ok' = 'true', false), answer = left(a.body->>'r', 200)
                FROM acks a
                WHERE a.body->>'a' ~ '^[0-9]{1,18}$' AND c.id = (a.body->>'a')::bigint AND c.meter_id = a.meter_id AND c.answered_at IS NULL
                RETURNING c.id
            )
            SELECT count(*) AS n FROM answered
            """
        ).rows[0].decode("n")
    }

    /// MT-4, MT-6: the first stored reading of each meter's day, for days after the premise's
    /// latest reading, becomes a validated reading. A smart meter's reading is never refused,
    /// because it is what the meter said: a register that ran backwards is stored, flagged as
    /// reverse flow and raises an alert; so does a spike, or a month without use.
    ///
    /// Set-based, in rounds: round n takes each premise's n-th new day, so every reading is judged
    /// against the one before it, and a batch of one day per meter (the usual) is one round.
    private func deriveReadings(on connection: PostgresConnection) throws -> Int {
        try connection.execute(
            """
            CREATE TEMP TABLE new_days ON COMMIT DROP AS
            SELECT d.*, rank() OVER (PARTITION BY d.installation_id ORDER BY d.day) AS round
            FROM (
                SELECT DISTINCT ON (s.meter_id, s.read_at::date)
                       s.id, s.read_at::date AS day, s.value, i.id AS installation_id, i.account_id,
                       m.register_digits, m.multiplier, a.status = 'active' AS live
                FROM stored s
                JOIN meters m ON m.id = s.meter_id
                JOIN meter_installations i ON i.meter_id = s.meter_id AND i.removed_on IS NULL
                JOIN accounts a ON a.id = i.account_id
                WHERE s.read_at::date > i.installed_on
                  AND NOT EXISTS (SELECT 1 FROM readings r WHERE r.installation_id = i.id AND r.read_on >= s.read_at::date)
                ORDER BY s.meter_id, s.read_at::date, s.read_at, s.id
            ) d
            """)
        let summary = try connection.query("SELECT count(*) AS n, coalesce(max(round), 0) AS rounds FROM new_days").rows[0]
        let rounds: Int = try summary.decode("rounds")
        let units = MeterRegister.units(from: "p.value", to: "d.value", digits: "d.register_digits", multiplier: "d.multiplier")
        let usual = UsualUse.flag(
            account: "j.account_id", day: "j.day", consumption: "j.units", days: "j.days", factor: highUseFactor, live: "j.live")
        for round in rounds > 0 ? Array(1...rounds) : [] {
            var alerts: [RaiseAlert.Alert] = []
            for row in try connection.query(
                """
                WITH judged AS (
                    SELECT d.*, coalesce(\(units), CASE WHEN p.value IS NULL THEN 0 END) AS units,
                           coalesce(d.day - p.read_on, 0) AS days, coalesce(p.value - d.value, 0) AS backwards
                    FROM new_days d
                    LEFT JOIN LATERAL (
                        SELECT value, read_on FROM current_readings
                        WHERE installation_id = d.installation_id AND read_on <= d.day ORDER BY read_on DESC, id DESC LIMIT 1
                    ) p ON true
                    WHERE d.round = \(round)
                ), flagged AS (
                    SELECT j.*, CASE WHEN j.units IS NULL THEN 'reverse_flow' ELSE \(usual) END AS flag FROM judged j
                ), inserted AS (
                    INSERT INTO readings (installation_id, account_id, raw_id, read_on, value, consumption, kind, flag)
                    SELECT installation_id, account_id, id, day, value, coalesce(units, 0), 'actual', flag FROM flagged
                    RETURNING id, raw_id
                )
                SELECT i.id AS reading_id, f.account_id, f.day::text AS day, f.flag, f.units, f.days, f.backwards
                FROM flagged f JOIN inserted i ON i.raw_id = f.id
                WHERE f.flag IS NOT NULL
                """
            ).rows {
                guard let day = CalendarDay(try row.decode("day", as: String.self)) else { continue }
                let flag: String = try row.decode("flag")
                let kind: RaiseAlert.Kind = flag == "reverse_flow" ? .reverseFlow : flag == "high_use" ? .spike : .zeroUse
                alerts.append(
                    RaiseAlert.Alert(
                        accountID: try row.decode("account_id"), readingID: try row.decode("reading_id"), kind: kind, day: day,
                        consumption: kind == .reverseFlow ? try row.decode("backwards") : try row.decode("units"), days: try row.decode("days")))
            }
            try RaiseAlert.raise(alerts, on: connection)
        }
        return try summary.decode("n")
    }
}
