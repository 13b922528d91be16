import Foundation
import Platform

/// What payments need to know of the deployment.
public struct PaymentSettings: Sendable {
    public var currency: Currency
    /// Receipts are numbered `PREFIX-YYYY-000001` in their own gapless series.
    public var receiptPrefix: String
    /// The largest single payment taken online or recorded, in minor units: a typo guard.
    public var largestPayment: Money

    public init(currency: Currency = .poundSterling, receiptPrefix: String = "RC", largestPayment: Money? = nil) {
        self.currency = currency
        self.receiptPrefix = receiptPrefix
        var largest: Int64 = 1_000_000
        for _ in 0..<currency.minorDigits { largest *= 10 }
        self.largestPayment = largestPayment ?? Money(minorUnits: largest)
    }

    /// An amount as typed on a form, or why it cannot be paid.
    public func amount(_ text: String) throws(AmountRefused) -> Money {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .missing }
        guard let amount = currency.parse(trimmed) else { throw .notAnAmount(currency) }
        guard amount > .zero else { throw .notPositive }
        guard amount <= largestPayment else { throw .tooLarge(currency.format(largestPayment)) }
        return amount
    }
}

public enum AmountRefused: Error, Equatable, CustomStringConvertible {
    case missing
    case notAnAmount(Currency)
    case notPositive
    case tooLarge(String)

    public var description: String {
        switch self {
        case .missing: "Enter the amount to pay."
        case .notAnAmount(let currency):
            currency.minorDigits == 0
                ? "Enter the amount as a number, such as 1250."
                : "Enter the amount as a number, such as 12.50, with at most \(currency.minorDigits) decimals."
        case .notPositive: "Enter an amount above zero."
        case .tooLarge(let largest): "A single payment can be at most \(largest)."
        }
    }
}
