import Foundation
import Platform

/// BL-8: the token a confirmed purchase buys, made in the payment's transaction: what the money
/// buys at the prepaid price, rounded down to 0.1 kWh.
public struct IssueCreditToken: Sendable {
    let box: SecretBox
    public let settings: PrepaidSettings

    public init(box: SecretBox, settings: PrepaidSettings) {
        self.box = box
        self.settings = settings
    }

    /// The tokens to type in order: a key change pair first when the meter needs one, the credit last.
    public func issue(for amount: Money, meterID: Int64, accountID: Int64, paymentID: Int64, at now: Date, on connection: PostgresConnection) throws
        -> [PrepaidToken]
    {
        var tokens = try IssueTokens.issue(
            .credit, tenths: settings.tenths(for: amount), meterID: meterID, accountID: accountID, paymentID: paymentID, by: nil, box: box,
            at: now, on: connection)
        let serial: String = try connection.query("SELECT serial FROM meters WHERE id = \(meterID)").rows[0].decode("serial")
        for index in tokens.indices { tokens[index].meterSerial = serial }
        return tokens
    }
}
