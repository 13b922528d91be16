import Foundation
import Identity
import Platform

/// BR-3: an engineer opens or closes a meter's supply relay, or asks it for its diagnostics. The
/// command waits for the meter (`DeliverCommands`); the audit log keeps who asked.
public struct SendMeterCommand: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case notConnectable
        case unknownCommand

        public var description: String {
            switch self {
            case .notConnectable: "Only a smart or prepaid meter with a registered key takes commands."
            case .unknownCommand: "Choose disconnect, reconnect or diagnostics."
            }
        }
    }

    public func run(_ kindText: String, meterID: Int64, by userID: Int64, clientAddress: String?) async throws -> Int64 {
        guard let kind = MeterCommands.Kind(rawValue: kindText), kind != .token else { throw Refused.unknownCommand }
        let now = database.clock.now
        return try await database.transaction { connection in
            guard
                !(try connection.query(
                    "SELECT 1 FROM meters WHERE id = \(meterID) AND kind IN ('smart', 'prepaid') AND public_key IS NOT NULL FOR UPDATE"
                ).rows.isEmpty)
            else { throw Refused.notConnectable }
            let id = try MeterCommands.queue(kind, meterID: meterID, by: userID, at: now, on: connection)
            try AuditLog.record(
                on: connection, .meterCommandSent, userID: userID, clientAddress: clientAddress,
                details: ["meter_id": String(meterID), "command": kind.rawValue, "command_id": String(id)])
            return id
        }
    }
}
