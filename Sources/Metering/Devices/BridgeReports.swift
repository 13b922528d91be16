import Foundation
import Platform

/// BR-1, MT-7: each bridge's latest report, and what the ops page shows of the bridges.
public struct BridgeReports: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Report: Sendable, Equatable {
        public var name: String
        public var startedAt: Date
        public var connected: Int
        public var verified: Int64
        public var refused: [String: Int64]
        public var backlog: Int
        /// Where the portal reaches the bridge.
        public var url: String?

        public init(name: String, startedAt: Date, connected: Int, verified: Int64, refused: [String: Int64], backlog: Int, url: String? = nil) {
            (self.name, self.startedAt, self.connected, self.verified, self.refused, self.backlog, self.url) = (
                name, startedAt, connected, verified, refused, backlog, url
            )
        }
    }

    public enum Refusal: Error, Equatable {
        case badName
        case badURL
    }

    public func record(_ report: Report) async throws {
        guard report.name.wholeMatch(of: /[A-Za-z0-9][A-Za-z0-9._-]{0,62}/) != nil else { throw Refusal.badName }
        if let url = report.url, url.wholeMatch(of: /https?:\/\/[^\s]{1,200}/) == nil { throw Refusal.badURL }
        let refused = String(decoding: try JSONEncoder().encode(report.refused.filter { $0.value >= 0 }), as: UTF8.self)
        try await database.query(
            """
            INSERT INTO bridges (name, started_at, connected, verified, refused, backlog, reported_at, url)
            VALUES ($1, $2::timestamptz, $3, $4, $5::jsonb, $6, $7::timestamptz, $8)
            ON CONFLICT (name) DO UPDATE SET started_at = EXCLUDED.started_at, connected = EXCLUDED.connected,
                verified = EXCLUDED.verified, refused = EXCLUDED.refused, backlog = EXCLUDED.backlog, reported_at = EXCLUDED.reported_at,
                url = EXCLUDED.url
            """,
            [
                report.name, PostgresTimestamp.format(report.startedAt), max(0, report.connected), max(0, report.verified), refused,
                max(0, report.backlog), PostgresTimestamp.format(database.clock.now), report.url,
            ])
    }

    public struct Bridge: Encodable, Sendable {
        public let name: String
        public let connected: Int
        public let verified: Int64
        public let refused: String
        public let backlog: Int
        public let reportedAt: String
        /// No report for a minute: the bridge is down or cannot reach the portal.
        public let silent: Bool
    }

    /// Every bridge that has reported, with the messages stored from meters in the last hour.
    public func overview() async throws -> (bridges: [Bridge], meters: Int, messagesLastHour: Int) {
        let now = database.clock.now
        let bridges = try await database.query(
            """
            SELECT name, connected, verified, backlog, to_char(reported_at, 'YYYY-MM-DD HH24:MI:SS') AS reported,
                   reported_at < $1::timestamptz - interval '1 minute' AS silent,
                   coalesce((SELECT string_agg(key || ' ' || value, ', ' ORDER BY key) FROM jsonb_each_text(refused)), '') AS refused
            FROM bridges ORDER BY name
            """, [PostgresTimestamp.format(now)]
        ).rows.map { row in
            Bridge(
                name: try row.decode("name"), connected: try row.decode("connected"), verified: try row.decode("verified"),
                refused: try row.decode("refused"), backlog: try row.decode("backlog"), reportedAt: try row.decode("reported"),
                silent: try row.decode("silent"))
        }
        let counts = try await database.query(
            """
            SELECT (SELECT count(*) FROM meter_health WHERE last_seen_at >= $1::timestamptz - interval '1 hour') AS meters,
                   (SELECT count(*) FROM readings_raw WHERE source = 'bridge' AND read_at >= $1::timestamptz - interval '1 hour') AS messages
            """, [PostgresTimestamp.format(now)]
        ).rows[0]
        return (bridges, try counts.decode("meters"), try counts.decode("messages"))
    }
}
