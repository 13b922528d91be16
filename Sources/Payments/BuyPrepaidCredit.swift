import Foundation
import MeterProtocol
import Platform
import Prepaid

/// BL-8: a consumer buys credit for a prepaid meter on the premise they own. The payment goes
/// through the gateway like any other; when the gateway confirms it, the token is made in the
/// same transaction that credits the payment (`ReceivePaymentEvent`), sent by SMS, and sent to a
/// smart prepaid meter through the bridge.
public struct BuyPrepaidCredit: Sendable {
    let start: StartOnlinePayment
    public let prepaid: PrepaidSettings

    public init(start: StartOnlinePayment, prepaid: PrepaidSettings) {
        self.start = start
        self.prepaid = prepaid
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case amount(String)
        case noSuchMeter
        case gatewayUnavailable

        public var description: String {
            switch self {
            case .amount(let why): why
            case .noSuchMeter: "Choose one of this premise's prepaid meters."
            case .gatewayUnavailable: StartOnlinePayment.Refused.gatewayUnavailable.description
            }
        }
    }

    public func run(
        accountID: Int64, meterSerial: String, amount text: String, by consumerID: Int64, returnURL: @Sendable (Int64) -> String,
        webhookURL: String
    ) async throws -> (paymentID: Int64, checkout: Checkout) {
        guard let meter = try await PrepaidTokens(database: start.database).meters(of: accountID).first(where: { $0.serial == meterSerial }) else {
            throw Refused.noSuchMeter
        }
        let amount: Money
        do { amount = try start.settings.amount(text) } catch { throw Refused.amount(error.description) }
        guard prepaid.tenths(for: amount) <= STSAmount.maximumTenths else {
            throw Refused.amount("A token carries at most \(STSAmount.maximumTenths / 10) kWh: buy less at a time.")
        }
        guard try await start.database.query("SELECT 1 FROM vending_keys LIMIT 1").rows.first != nil else {
            throw Refused.amount("Tokens cannot be sold yet: the utility has not loaded its vending key. Nothing was taken.")
        }
        guard prepaid.tenths(for: amount) >= 1 else {
            throw Refused.amount(
                "\(start.settings.currency.format(amount)) buys less than 0.1 kWh at \(start.settings.currency.format(prepaid.pricePerKilowattHour)) a kWh."
            )
        }
        do {
            return try await start.run(
                accountID: accountID, amount: amount, description: "Prepaid electricity, meter \(meter.serial)", meterID: meter.id, by: consumerID,
                returnURL: returnURL, webhookURL: webhookURL)
        } catch StartOnlinePayment.Refused.gatewayUnavailable {
            throw Refused.gatewayUnavailable
        }
    }
}
