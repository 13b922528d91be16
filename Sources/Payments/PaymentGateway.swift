import Foundation
import Platform

/// BL-5: an outside payment service. Meterline sends the consumer to the gateway's hosted page and
/// believes only what the gateway's signed callback says; the browser's return is never trusted.
public protocol PaymentGateway: Sendable {
    /// The gateway's name, stored with each payment (`sandbox`, `http`).
    var name: String { get }
    /// Opens a hosted checkout for `amount`; the consumer is sent to its URL.
    func createCheckout(_ request: CheckoutRequest) async throws -> Checkout
    /// The event a callback carries, if its signature and timestamp are good.
    func verifyCallback(body: [UInt8], signature: String?, at now: Date) throws -> GatewayEvent
    /// What the gateway says of a checkout now (for reconciliation and support).
    func lookUp(checkoutID: String) async throws -> CheckoutStatus
}

public struct CheckoutRequest: Sendable {
    public let amount: Money
    public let currency: Currency
    /// What the consumer sees on the gateway's page: "Account 100200300".
    public let description: String
    /// Where the gateway sends the browser back when the consumer is done.
    public let returnURL: String
    /// Where the gateway posts its events.
    public let webhookURL: String
}

public struct Checkout: Sendable, Equatable {
    public let id: String
    public let url: String
}

public enum CheckoutStatus: String, Sendable, Equatable {
    case open, pending, succeeded, declined, reversed
}

/// One event of a gateway callback, after its signature was checked.
public struct GatewayEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case succeeded = "payment.succeeded"
        case failed = "payment.failed"
        case reversed = "payment.reversed"
    }

    public let id: String
    public let type: Kind
    public let checkout: String
    /// Minor units actually paid, as the gateway reports them.
    public let amount: Int64
    public let currency: String
    /// Seconds since 1970 when the gateway made the event.
    public let created: Int64
    public var reason: String?

    public init(id: String, type: Kind, checkout: String, amount: Int64, currency: String, created: Int64, reason: String? = nil) {
        self.id = id
        self.type = type
        self.checkout = checkout
        self.amount = amount
        self.currency = currency
        self.created = created
        self.reason = reason
    }
}

/// Why a callback was refused. The gateway retries it; nothing was stored.
public enum CallbackRefused: Error, Equatable, CustomStringConvertible {
    case noSignature
    case badSignature
    case stale
    case unreadable
    case unknownCheckout(String)
    case wrongCurrency(String)

    public var description: String {
        switch self {
        case .noSignature: "The callback has no Payment-Signature header."
        case .badSignature: "The callback's signature does not match its body."
        case .stale: "The callback's timestamp is more than five minutes away from now."
        case .unreadable: "The callback's body is not a payment event."
        case .unknownCheckout(let id): "No payment was started with the checkout \(id)."
        case .wrongCurrency(let code): "The event is in \(code), not in the currency the utility bills in."
        }
    }
}
