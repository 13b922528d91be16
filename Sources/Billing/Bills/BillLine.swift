import Platform

/// One line of a bill, with the numbers that make it, so a consumer can follow the arithmetic:
/// "Units 101–300: 150 × £4.50 = £675.00". Its amount is rounded once, by `Money.rounding`;
/// the bill's total is the sum of its lines.
public struct BillLine: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable, SQLEncodable, SQLDecodable {
        case energy
        case fixedCharge = "fixed_charge"
        case minimumCharge = "minimum_charge"
        case surcharge
        case fuelAdjustment = "fuel_adjustment"
        case tax
    }

    public var kind: Kind
    /// What the line is, in words: "Units 101–300", "Fixed charge", "VAT".
    public var label: String
    public var amount: Money
    /// Units charged, with their rate (energy, a fuel adjustment per unit).
    public var units: Int64?
    public var rate: Rate?
    /// A percentage and the amount it was taken of.
    public var percentage: Percentage?
    public var base: Money?
    /// A monthly amount charged for part of a month: `days` of `periodDays`.
    public var monthly: Money?
    public var days: Int?
    public var periodDays: Int?
    /// Which tariff version's part of the period the line belongs to (0 for the first).
    public var part: Int

    public init(
        kind: Kind, label: String, amount: Money, units: Int64? = nil, rate: Rate? = nil, percentage: Percentage? = nil,
        base: Money? = nil, monthly: Money? = nil, days: Int? = nil, periodDays: Int? = nil, part: Int = 0
    ) {
        self.kind = kind
        self.label = label
        self.amount = amount
        self.units = units
        self.rate = rate
        self.percentage = percentage
        self.base = base
        self.monthly = monthly
        self.days = days
        self.periodDays = periodDays
        self.part = part
    }

    /// The arithmetic in words: "150 units × £4.50 = £675.00", "5% of £1,000.00 = £50.00",
    /// "£50.00 a month for 10 of 31 days = £16.13".
    public func arithmetic(in currency: Currency) -> String {
        let result = currency.format(amount)
        if kind == .minimumCharge, let base {
            return "minimum \(currency.format(amount + base)) less \(currency.format(base)) already charged = \(result)"
        }
        if let units, let rate { return "\(units) units × \(rate.text(in: currency)) = \(result)" }
        if let percentage, let base { return "\(percentage.text) of \(currency.format(base)) = \(result)" }
        if let monthly {
            guard let days, let periodDays, days != periodDays else { return "\(currency.format(monthly)) a month = \(result)" }
            return "\(currency.format(monthly)) a month for \(days) of \(periodDays) days = \(result)"
        }
        return result
    }
}
