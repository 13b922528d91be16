import Foundation
import Identity
import Platform

/// BL-8: a technician on site gives a prepaid meter a small credit to get the supply back, at most
/// once every few days per meter, with a reason; the audit log keeps who and why.
public struct IssueEmergencyToken: Sendable {
    public let database: Database
    let box: SecretBox
    public let settings: PrepaidSettings

    public init(database: Database, box: SecretBox, settings: PrepaidSettings) {
        self.database = database
        self.box = box
        self.settings = settings
    }

    public func run(meterID: Int64, reason text: String, by userID: Int64, clientAddress: String?) async throws -> [PrepaidToken] {
        let reason = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (3...500).contains(reason.count), !reason.unicodeScalars.contains("\0") else {
            throw TokenRefused.amount("Say why the meter needs an emergency token (3 to 500 characters).")
        }
        let now = database.clock.now
        let box = box
        let settings = settings
        return try await database.transaction { connection in
            guard
                let account = try connection.query(
                    """
                    SELECT i.account_id FROM meters m JOIN meter_installations i ON i.meter_id = m.id AND i.removed_on IS NULL
                    JOIN accounts a ON a.id = i.account_id AND a.status = 'active' AND a.billing_type = 'prepaid'
                    WHERE m.id = \(meterID) AND m.kind = 'prepaid'
                    """
                ).rows.first
            else { throw TokenRefused.notPrepaid }
            _ = try PrepaidMeter.locked(meterID, at: now, on: connection)
            let recent = try connection.query(
                """
                SELECT 1 FROM prepaid_tokens WHERE meter_id = \(meterID) AND kind = 'emergency'
                  AND issued_at > \(now.addingTimeInterval(-Double(settings.emergencyEveryDays) * 86_400))
                """
            ).rows
            guard recent.isEmpty else { throw TokenRefused.tooSoon(days: settings.emergencyEveryDays) }
            let tokens = try IssueTokens.issue(
                .emergency, tenths: settings.emergencyTenths, meterID: meterID, accountID: try account.decode("account_id"), paymentID: nil,
                by: userID, note: reason, box: box, at: now, on: connection)
            try AuditLog.record(
                on: connection, .emergencyTokenIssued, userID: userID, clientAddress: clientAddress,
                details: ["meter_id": String(meterID), "reason": String(reason.prefix(200))])
            return tokens
        }
    }
}
