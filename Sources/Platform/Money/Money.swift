/// An amount of the deployment's currency in minor units (pence, cents; whole units for a
/// zero-decimal currency). Never a floating-point number. Arithmetic that would overflow traps,
/// as Int64 does; amounts come from rounded lines far below that bound.
public struct Money: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let minorUnits: Int64

    public init(minorUnits: Int64) {
        self.minorUnits = minorUnits
    }

    public static let zero = Money(minorUnits: 0)

    public static func + (lhs: Money, rhs: Money) -> Money { Money(minorUnits: lhs.minorUnits + rhs.minorUnits) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(minorUnits: lhs.minorUnits - rhs.minorUnits) }
    public static prefix func - (amount: Money) -> Money { Money(minorUnits: -amount.minorUnits) }
    public static func += (lhs: inout Money, rhs: Money) { lhs = lhs + rhs }
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.minorUnits < rhs.minorUnits }

    public var isNegative: Bool { minorUnits < 0 }

    /// Minor units, for logs and tests; pages format through `Currency`.
    public var description: String { "\(minorUnits)" }

    public init(from decoder: any Decoder) throws {
        minorUnits = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(minorUnits)
    }

    /// The one rounding rule: `value × multiplier ÷ divisor` to the nearest minor unit, a half
    /// rounded away from zero (half-up for charges). Every line of a bill is rounded by this, once;
    /// totals are sums of rounded lines. The product is taken in 128 bits, so a large consumption
    /// times a precise rate cannot overflow on the way.
    public static func rounding(_ value: Int64, times multiplier: Int64, dividedBy divisor: Int64) throws -> Money {
        precondition(divisor > 0, "a rounding divisor is positive")
        let product = value.multipliedFullWidth(by: multiplier)
        let negative = (value < 0) != (multiplier < 0) && value != 0 && multiplier != 0
        // Work with the magnitude: (high, low) as an unsigned 128-bit number.
        var high = UInt64(bitPattern: product.high)
        var low = product.low
        if negative {
            low = ~low &+ 1
            high = ~high &+ (low == 0 ? 1 : 0)
        }
        guard high < UInt64(divisor) else { throw MoneyOverflow() }
        let (quotient, remainder) = UInt64(divisor).dividingFullWidth((high, low))
        let roundUp = remainder >= UInt64(divisor) - remainder
        let magnitude = quotient + (roundUp ? 1 : 0)
        guard magnitude <= UInt64(Int64.max) else { throw MoneyOverflow() }
        return Money(minorUnits: negative ? -Int64(magnitude) : Int64(magnitude))
    }
}

extension Sequence where Element == Money {
    public func sum() -> Money { reduce(.zero, +) }
}

/// An amount too large for the ledger (beyond ±9.2 × 10^18 minor units): refused, never wrapped.
public struct MoneyOverflow: Error, CustomStringConvertible {
    public var description: String { "The amount is too large to be stored." }
}
