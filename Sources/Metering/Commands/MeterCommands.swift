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

    /// Queues a command; its id is the sequence the meter sees, so commands only go up.
    public static func queue(
        _ kind: Kind, payload: String? = nil, meterID: Int64, by userID: Int64?, at now: Date, on connection: PostgresConnection
    ) throws -> Int64 {
        try connection.query(
            """
            INSERT INTO meter_commands (meter_id, kind, payload, created_at, created_by)
            VALUES (\(meterID), \(kind.rawValue), \(payload), \(now), \(userID)) RETURNING id
            """
        ).rows[0].decode("id")
    }
}
