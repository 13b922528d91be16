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

    public init(pricePerKilowattHour: Money, emergencyTenths: Int = 50, emergencyEveryDays: Int = 7, issuerNumber: String = "600727") {
        self.pricePerKilowattHour = pricePerKilowattHour
        self.emergencyTenths = emergencyTenths
        self.emergencyEveryDays = emergencyEveryDays
        self.issuerNumber = issuerNumber
    }

    /// What `amount` buys, in tenths of a kWh, rounded down: the consumer gets what was paid for.
    public func tenths(for amount: Money) -> Int {
        guard pricePerKilowattHour.minorUnits > 0, amount.minorUnits > 0 else { return 0 }
        return Int(amount.minorUnits.multipliedReportingOverflow(by: 10).partialValue / pricePerKilowattHour.minorUnits)
    }
}
