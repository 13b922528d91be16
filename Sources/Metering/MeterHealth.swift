import Accounts
import Identity
import Notifications
import Platform

/// MT-7: what smart meters last reported about themselves, and the ones that have gone silent.
/// The device bridge writes `meter_health`; this reads it.
public struct MeterHealth: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Meter: Encodable, Sendable {
        public let serial: String
        public let accountNumber: String?
        public let lastSeen: String?
        public let hoursSilent: Int?
        public let signal: Int?
        public let voltage: Double?
        public let relay: String?
        public let tamper: Bool

        public init(
            serial: String, accountNumber: String?, lastSeen: String?, hoursSilent: Int?, signal: Int?, voltage: Double?, relay: String?, tamper: Bool
        ) {
            self.serial = serial
            self.accountNumber = accountNumber
            self.lastSeen = lastSeen
            self.hoursSilent = hoursSilent
            self.signal = signal
            self.voltage = voltage
            self.relay = relay
            self.tamper = tamper
        }
    }

    /// Smart meters not heard from for `hours` or more (never heard from counts), oldest first.
    public func silent(hours: Int, limit: Int = 500) async throws -> [Meter] {
        try await database.query(
            """
            SELECT m.serial, a.account_number, to_char(h.last_seen_at, 'YYYY-MM-DD HH24:MI') AS last_seen,
                   floor(EXTRACT(EPOCH FROM \(database.now) - h.last_seen_at) / 3600)::int AS hours_silent,
                   h.signal_dbm, h.voltage::float8 AS voltage, h.relay, coalesce(h.tamper, false) AS tamper
            FROM meters m
            LEFT JOIN meter_health h ON h.meter_id = m.id
            LEFT JOIN meter_installations i ON i.meter_id = m.id AND i.removed_on IS NULL
            LEFT JOIN accounts a ON a.id = i.account_id
            WHERE m.kind = 'smart' AND m.status = 'installed'
              AND (h.last_seen_at IS NULL OR h.last_seen_at < \(database.now) - make_interval(hours => $1))
            ORDER BY h.last_seen_at NULLS FIRST, m.serial LIMIT \(limit)
            """, [hours]
        ).rows.map {
            Meter(
                serial: try $0.decode("serial"), accountNumber: try $0.decode("account_number"), lastSeen: try $0.decode("last_seen"),
                hoursSilent: try $0.decode("hours_silent"), signal: try $0.decode("signal_dbm"), voltage: try $0.decode("voltage"),
                relay: try $0.decode("relay"), tamper: try $0.decode("tamper"))
        }
    }

    /// Records what a meter reported (the bridge calls this); a tamper flag raises an alert once.
    public static func report(
        on connection: PostgresConnection, meterID: Int64, signal: Int?, voltage: Double?, relay: String?, tamper: Bool
    ) throws {
        let wasTampered =
            try connection.query("SELECT tamper FROM meter_health WHERE meter_id = $1", [meterID]).rows.first?
            .decode("tamper", as: Bool.self) ?? false
        try connection.execute(
            """
            INSERT INTO meter_health (meter_id, last_seen_at, signal_dbm, voltage, relay, tamper) VALUES ($1, \(connection.now), $2, $3, $4, $5)
            ON CONFLICT (meter_id) DO UPDATE SET last_seen_at = \(connection.now), signal_dbm = $2, voltage = $3, relay = $4, tamper = $5
            """, [meterID, signal, voltage, relay, tamper])
        if tamper, !wasTampered,
            let account = try connection.query(
                "SELECT account_id, (\(connection.now))::date::text AS today FROM meter_installations WHERE meter_id = $1 AND removed_on IS NULL",
                [meterID]
            ).rows.first, let today = CalendarDay(try account.decode("today", as: String.self))
        {
            try RaiseAlert.raise(
                on: connection, accountID: try account.decode("account_id"), readingID: nil, kind: .tamper, day: today, consumption: 0, days: 0)
        }
    }
}
