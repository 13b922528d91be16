import Platform

/// A price per unit (kWh, m³), finer than the currency's minor unit: tariffs publish rates such
/// as 4.5025 per kWh, and a fuel adjustment of 0.0375 per unit. Held as ten-thousandths of a
/// minor unit, so 4.50 (in a two-digit currency) is 4,500,000.
public struct Rate: Hashable, Sendable, Codable, Comparable {
    /// Digits kept beyond the currency's minor unit.
    public static let extraDigits = 4
    static let scale: Int64 = 10_000

    public let tenThousandthsOfMinorUnit: Int64

    public init(tenThousandthsOfMinorUnit: Int64) {
        self.tenThousandthsOfMinorUnit = tenThousandthsOfMinorUnit
    }

    /// A rate of whole minor units per unit: `Rate(minorUnits: 450)` is 4.50.
    public init(minorUnits: Int64) {
        tenThousandthsOfMinorUnit = minorUnits * Self.scale
    }

    /// "4.50" in the deployment's currency; nil if it is not a number or too precise.
    public init?(_ text: String, currency: Currency) {
        guard let value = DecimalText.parse(text, fractionDigits: currency.minorDigits + Self.extraDigits) else { return nil }
        tenThousandthsOfMinorUnit = value
    }

    /// What `units` cost at this rate, rounded by the one rule.
    public func charge(units: Int64) throws -> Money {
        try Money.rounding(units, times: tenThousandthsOfMinorUnit, dividedBy: Self.scale)
    }

    /// What an amount charged per something (a kW of load in tenths) costs: `rate × tenths ÷ 10`.
    func charge(tenths: Int64) throws -> Money {
        try Money.rounding(tenths, times: tenThousandthsOfMinorUnit, dividedBy: Self.scale * 10)
    }

    /// "4.50", "0.0375": the currency's digits, then any finer ones that are not zero.
    public func text(in currency: Currency) -> String {
        let text = DecimalText.format(
            tenThousandthsOfMinorUnit.magnitude, fractionDigits: currency.minorDigits + Self.extraDigits,
            minimumFractionDigits: currency.minorDigits)
        return (tenThousandthsOfMinorUnit < 0 ? "−" : "") + currency.symbol + text
    }

    public static func < (lhs: Rate, rhs: Rate) -> Bool { lhs.tenThousandthsOfMinorUnit < rhs.tenThousandthsOfMinorUnit }

    public init(from decoder: any Decoder) throws {
        tenThousandthsOfMinorUnit = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(tenThousandthsOfMinorUnit)
    }
}

/// A percentage with four decimals (17.5% or 2.7525%), held as parts per million.
public struct Percentage: Hashable, Sendable, Codable {
    public let partsPerMillion: Int64

    public init(partsPerMillion: Int64) {
        self.partsPerMillion = partsPerMillion
    }

    /// "17.5" (percent); nil if it is not a number or has more than four decimals.
    public init?(_ text: String) {
        guard let value = DecimalText.parse(text, fractionDigits: 4) else { return nil }
        partsPerMillion = value
    }

    public static func percent(_ whole: Int64) -> Percentage { Percentage(partsPerMillion: whole * 10_000) }

    /// This share of `base`, rounded by the one rule.
    public func of(_ base: Money) throws -> Money {
        try Money.rounding(base.minorUnits, times: partsPerMillion, dividedBy: 1_000_000)
    }

    /// "17.5%".
    public var text: String {
        (partsPerMillion < 0 ? "−" : "") + DecimalText.format(partsPerMillion.magnitude, fractionDigits: 4, minimumFractionDigits: 0) + "%"
    }

    public init(from decoder: any Decoder) throws {
        partsPerMillion = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(partsPerMillion)
    }
}
