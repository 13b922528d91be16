import Platform

/// BL-8: what prepaid credit costs and what an emergency token gives.
public struct PrepaidSettings: Sendable {
    /// The price of one kWh, in minor units.
    public var pricePerKilowattHour: Money
    /// An emergency token's credit, in tenths of a kWh.
    public var emergencyTenths: Int
    /// One emergency token per meter in this many days.
    public var emergencyEveryDays: Int
    /// The issuer identification number that begins every meter number (PAN) this utility makes.
    public var issuerNumber: String
    /// The share of each purchase, in percent, that pays what the account owes (a purchase its
    /// bank took back, for one) until that is cleared, as STS vending systems recover debt.
    public var debtRecoveryPercent: Int

    public init(
        pricePerKilowattHour: Money, emergencyTenths: Int = 50, emergencyEveryDays: Int = 7, issuerNumber: String = "600727",
        debtRecoveryPercent: Int = 25
    ) {
        self.pricePerKilowattHour = pricePerKilowattHour
        self.emergencyTenths = emergencyTenths
        self.emergencyEveryDays = emergencyEveryDays
        self.issuerNumber = issuerNumber
        self.debtRecoveryPercent = debtRecoveryPercent
    }

    /// The part of a purchase of `amount` that pays towards `owed`: the recovery share of it
    /// (rounded by the one rule), at most what is owed, and nothing when the rest would not buy
    /// the smallest token (a purchase too small to share buys energy only).
    public func debtShare(of amount: Money, owed: Money) -> Money {
        guard owed > .zero, amount > .zero, debtRecoveryPercent > 0,
            let share = try? Money.rounding(amount.minorUnits, times: Int64(debtRecoveryPercent), dividedBy: 100)
        else { return .zero }
        let taken = min(share, owed)
        return tenths(for: amount - taken) > 0 ? taken : .zero
    }

    /// What `amount` buys, in tenths of a kWh, rounded down: the consumer gets what was paid for.
    public func tenths(for amount: Money) -> Int {
        guard pricePerKilowattHour.minorUnits > 0, amount.minorUnits > 0 else { return 0 }
        return Int(amount.minorUnits.multipliedReportingOverflow(by: 10).partialValue / pricePerKilowattHour.minorUnits)
    }
}
