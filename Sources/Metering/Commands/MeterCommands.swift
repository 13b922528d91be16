import Foundation
import MeterProtocol
import Platform

/// BR-3: commands waiting for their meter, in the caller's transaction. A command is sent through
/// every bridge until the meter's signed answer comes back (`StoreDeviceMessages`), so a meter
/// that is offline gets it when it connects again.
public enum MeterCommands {
    public enum Kind: String, Sendable {
        case token
        case relayOn = "relay_on"
        case relayOff = "relay_off"
        case diagnostics

        public var title: String {
            switch self {
            case .token: "Load a token"
            case .relayOn: "Reconnect the supply"
            case .relayOff: "Disconnect the supply"
            case .diagnostics: "Diagnostics"
            }
        }

        /// What the meter is sent.
        func command(payload: String?) -> MeterCommand? {
            switch self {
            case .token: payload.map { .loadToken($0) }
            case .relayOn: .relay(on: true)
            case .relayOff: .relay(on: false)
            case .diagnostics: .diagnostics
            }
        }
    }

    /// One command as the meter's page shows it.
    public struct Sent: Sendable, Equatable, Encodable {
        public let kind: String
        public let createdAt: String
        public let state: String
        public let ok: Bool?
    }

    /// A meter's latest commands, newest first, with where each stands.
    public static func recent(meterID: Int64, limit: Int = 20, in database: Database) async throws -> [Sent] {
        try await database.query(
            """
            SELECT kind, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS') AS created, sent_at IS NOT NULL AS sent, attempts, ok, answer,
                   to_char(answered_at, 'HH24:MI:SS') AS answered
            FROM meter_commands WHERE meter_id = \(meterID) ORDER BY id DESC LIMIT \(limit)
            """
        ).rows.map { row in
            let kind = Kind(rawValue: try row.decode("kind")) ?? .diagnostics
            let ok: Bool? = try row.decode("ok")
            let answer: String? = try row.decode("answer")
            let state: String =
                if let ok {
                    (ok ? "Done at " : "Refused at ") + (try row.decode("answered", as: String.self)) + (answer.map { ": \($0)" } ?? "")
                } else if try row.decode("sent", as: Bool.self) {
                    "Passed to the meter (\(try row.decode("attempts", as: Int.self)) times); no answer yet"
                } else {
                    "Waiting for the meter to connect"
                }
            return Sent(kind: kind.title, createdAt: try row.decode("created"), state: state, ok: ok)
        }
    }

    /// Queues a command; its id is the sequence the meter sees, so commands only go up. The id is
    /// taken under the meter's row lock, held to the end of the caller's transaction: two
    /// transactions queueing for one meter commit in the order of their ids, so delivery (oldest
    /// open first) never sends a higher id before a lower one becomes visible, which the meter
    /// would then refuse as a replay.
    public static func queue(
        _ kind: Kind, payload: String? = nil, meterID: Int64, by userID: Int64?, at now: Date, on connection: PostgresConnection
    ) throws -> Int64 {
        guard
            let row = try connection.query(
                """
                WITH meter AS (SELECT id FROM meters WHERE id = \(meterID) FOR NO KEY UPDATE)
                INSERT INTO meter_commands (meter_id, kind, payload, created_at, created_by)
                SELECT id, \(kind.rawValue), \(payload), \(now), \(userID) FROM meter RETURNING id
                """
            ).rows.first
        else { throw DatabaseError(kind: .query, sqlState: SQLState.foreignKeyViolation, message: "no meter \(meterID) to queue a command for") }
        return try row.decode("id")
    }
}
