import Foundation
import Platform

/// BL-5: a consumer pays an account's balance, or another amount, online. The payment is stored
/// as pending and the consumer is sent to the gateway's hosted page; it counts only when the
/// gateway's signed callback says it succeeded (`ReceivePaymentEvent`).
public struct StartOnlinePayment: Sendable {
    let database: Database
    let gateway: any PaymentGateway
    let settings: PaymentSettings

    public init(database: Database, gateway: any PaymentGateway, settings: PaymentSettings) {
        self.database = database
        self.gateway = gateway
        self.settings = settings
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case amount(AmountRefused)
        case gatewayUnavailable

        public var description: String {
            switch self {
            case .amount(let refusal): refusal.description
            case .gatewayUnavailable: "The payment service cannot be reached just now. Nothing was taken; try again in a few minutes."
            }
        }
    }

    /// Where to send the consumer, and the payment's id. `returnURL` gets the payment's id.
    public func run(
        accountID: Int64, accountNumber: String, amount text: String, by consumerID: Int64, returnURL: @Sendable (Int64) -> String,
        webhookURL: String
    ) async throws -> (paymentID: Int64, checkout: Checkout) {
        let amount: Money
        do { amount = try settings.amount(text) } catch { throw Refused.amount(error) }
        return try await run(
            accountID: accountID, amount: amount, description: "Account \(accountNumber)", meterID: nil, by: consumerID, returnURL: returnURL,
            webhookURL: webhookURL)
    }

    /// A checked amount; `meterID` for a purchase of prepaid credit for that meter.
    func run(
        accountID: Int64, amount: Money, description: String, meterID: Int64?, by consumerID: Int64, returnURL: @Sendable (Int64) -> String,
        webhookURL: String
    ) async throws -> (paymentID: Int64, checkout: Checkout) {
        let now = database.clock.now
        let paymentID = try await database.query(
            """
            INSERT INTO payments (account_id, amount, method, status, gateway, created_by, created_at, meter_id)
            VALUES (\(accountID), \(amount.minorUnits), 'online', 'pending', \(gateway.name), \(consumerID), \(now), \(meterID)) RETURNING id
            """
        ).rows[0].decode("id", as: Int64.self)
        let checkout: Checkout
        do {
            checkout = try await gateway.createCheckout(
                CheckoutRequest(
                    amount: amount, currency: settings.currency, description: description, returnURL: returnURL(paymentID),
                    webhookURL: webhookURL))
        } catch {
            try await database.query(
                "UPDATE payments SET status = 'failed', failure = 'The payment service could not be reached.' WHERE id = \(paymentID)")
            throw Refused.gatewayUnavailable
        }
        try await database.query("UPDATE payments SET checkout_id = \(checkout.id) WHERE id = \(paymentID)")
        return (paymentID, checkout)
    }
}
