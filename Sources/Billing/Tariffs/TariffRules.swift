import Foundation
import Platform

/// What one version of a tariff charges (BL-1). Every part is optional but the energy blocks;
/// stored as JSON in `tariff_versions.rules`, checked by `problems()` before it is saved.
public struct TariffRules: Codable, Sendable, Equatable {
    /// Telescopic: each block's units at the block's own rate (0–100 at 3.00, the next 200 at
    /// 4.50 …). Non-telescopic: once the total passes a boundary, every unit at that block's rate.
    public enum BlockMode: String, Codable, Sendable, CaseIterable {
        case telescopic
        case nonTelescopic = "non_telescopic"
    }

    /// Units up to `upTo` (inclusive; nil: no upper bound), above the previous block's bound.
    public struct Block: Codable, Sendable, Equatable {
        public var upTo: Int64?
        public var rate: Rate
        public init(upTo: Int64?, rate: Rate) {
            self.upTo = upTo
            self.rate = rate
        }
    }

    /// Blocks that apply when the bill's total use is within `fromTotal...toTotal` (nil: no upper
    /// bound): a consumer above 500 units may lose the cheap lower blocks.
    public struct BlockTable: Codable, Sendable, Equatable {
        public var fromTotal: Int64
        public var toTotal: Int64?
        public var blocks: [Block]
        public init(fromTotal: Int64 = 0, toTotal: Int64? = nil, blocks: [Block]) {
            self.fromTotal = fromTotal
            self.toTotal = toTotal
            self.blocks = blocks
        }
    }

    /// A monthly per-kW rate for sanctioned loads up to `upToTenthsKW` (nil: any load above).
    public struct LoadBand: Codable, Sendable, Equatable {
        public var upToTenthsKW: Int64?
        public var ratePerKW: Rate
        public init(upToTenthsKW: Int64?, ratePerKW: Rate) {
            self.upToTenthsKW = upToTenthsKW
            self.ratePerKW = ratePerKW
        }
    }

    public enum FixedCharge: Codable, Sendable, Equatable {
        /// The same amount every month.
        case flat(monthly: Money)
        /// Per kW of the account's sanctioned load, at the rate of the band the load falls in.
        case perKilowatt(bands: [LoadBand])
    }

    /// What a percentage is taken of.
    public enum Base: String, Codable, Sendable, CaseIterable {
        case energy
        case energyAndFixed = "energy_and_fixed"
        /// Everything before taxes: energy, fixed, minimum, surcharges, fuel adjustment.
        case subtotal
    }

    /// A surcharge or duty: a percentage of a base, or a fixed monthly amount.
    public struct Surcharge: Codable, Sendable, Equatable {
        public enum Amount: Codable, Sendable, Equatable {
            case percent(Percentage, of: Base)
            case fixed(monthly: Money)
        }
        public var name: String
        public var amount: Amount
        public init(name: String, amount: Amount) {
            self.name = name
            self.amount = amount
        }
    }

    public struct Tax: Codable, Sendable, Equatable {
        public var name: String
        public var percentage: Percentage
        public var base: Base
        public init(name: String, percentage: Percentage, base: Base) {
            self.name = name
            self.percentage = percentage
            self.base = base
        }
    }

    public var blockMode: BlockMode
    /// When set, block bounds are for this many days and scale with the bill's days (a 100-unit
    /// block is 103 units for 31 days on a 30-day basis). When nil, a bill of a whole month uses
    /// them as they are.
    public var dayScalingBasisDays: Int?
    public var blockTables: [BlockTable]
    public var fixedCharge: FixedCharge?
    /// A monthly floor on energy and fixed charges together; the difference is its own line.
    public var minimumCharge: Money?
    public var surcharges: [Surcharge]
    public var taxes: [Tax]
    /// Charged once on a bill still unpaid after its due date and the grace days (BL-6).
    public var lateFee: LateFee?

    public enum LateFee: Codable, Sendable, Equatable {
        case percentOfBill(Percentage)
        case fixed(Money)

        /// The fee on a bill of `total`.
        public func amount(on total: Money) throws -> Money {
            switch self {
            case .percentOfBill(let percentage): try percentage.of(total)
            case .fixed(let amount): amount
            }
        }
    }

    public init(
        blockMode: BlockMode, dayScalingBasisDays: Int? = nil, blockTables: [BlockTable], fixedCharge: FixedCharge? = nil,
        minimumCharge: Money? = nil, surcharges: [Surcharge] = [], taxes: [Tax] = [], lateFee: LateFee? = nil
    ) {
        self.blockMode = blockMode
        self.dayScalingBasisDays = dayScalingBasisDays
        self.blockTables = blockTables
        self.fixedCharge = fixedCharge
        self.minimumCharge = minimumCharge
        self.surcharges = surcharges
        self.taxes = taxes
        self.lateFee = lateFee
    }

    /// Bounds that keep every bill's arithmetic far from Int64's limits: a billion units, a rate of
    /// a million currency units per unit (in ten-thousandths of a minor unit), amounts of a
    /// thousand million minor units, a million kW.
    static let maximumUnits: Int64 = 1_000_000_000
    static let maximumRate: Int64 = 1_000_000_000_000
    static let maximumAmount: Int64 = 100_000_000_000
    static let maximumTenthsKW: Int64 = 10_000_000

    /// What is wrong with these rules, in words an admin can act on; empty when they can be saved.
    public func problems() -> [String] {
        var problems: [String] = []
        func rateProblem(_ rate: Rate, _ what: String) {
            if !(0...Self.maximumRate).contains(rate.tenThousandthsOfMinorUnit) {
                problems.append("\(what) must be 0 or more, and not absurdly large.")
            }
        }
        func amountProblem(_ amount: Money, _ what: String) {
            if !(0...Self.maximumAmount).contains(amount.minorUnits) { problems.append("\(what) must be 0 or more, and not absurdly large.") }
        }
        func percentageProblem(_ percentage: Percentage, _ what: String) {
            if !(0...1_000_000).contains(percentage.partsPerMillion) { problems.append("\(what) must be 0% to 100%.") }
        }
        if blockTables.isEmpty { problems.append("Give at least one table of blocks.") }
        var expectedFrom: Int64? = 0
        for (number, table) in blockTables.sorted(by: { $0.fromTotal < $1.fromTotal }).enumerated() {
            let name = blockTables.count == 1 ? "The blocks" : "Table \(number + 1)"
            if let from = expectedFrom, table.fromTotal != from {
                problems.append("\(name) must start at \(from) units of total use, so every total has a table.")
            }
            if let to = table.toTotal, to < table.fromTotal { problems.append("\(name) ends before it starts.") }
            if table.fromTotal > Self.maximumUnits || (table.toTotal ?? 0) > Self.maximumUnits {
                problems.append("\(name): totals are up to \(Self.maximumUnits) units.")
            }
            expectedFrom = table.toTotal.map { min($0, Self.maximumUnits) + 1 }
            if table.blocks.isEmpty { problems.append("\(name) has no blocks.") }
            var lower: Int64 = 0
            for (index, block) in table.blocks.enumerated() {
                rateProblem(block.rate, "\(name): a rate")
                if let upTo = block.upTo {
                    if upTo > Self.maximumUnits { problems.append("\(name): blocks end at \(Self.maximumUnits) units at most.") }
                    if upTo <= lower { problems.append("\(name): block \(index + 1) must end above \(lower) units.") }
                    lower = upTo
                    if index == table.blocks.count - 1 { problems.append("\(name): the last block must have no upper limit.") }
                } else if index != table.blocks.count - 1 {
                    problems.append("\(name): only the last block may be without an upper limit.")
                }
            }
        }
        if expectedFrom != nil, !blockTables.isEmpty { problems.append("The last table must have no upper limit of total use.") }
        if let days = dayScalingBasisDays, !(1...366).contains(days) { problems.append("The day basis must be 1 to 366 days.") }
        if case .perKilowatt(let bands) = fixedCharge {
            var lower: Int64 = 0
            if bands.isEmpty { problems.append("Give at least one band of sanctioned load.") }
            for (index, band) in bands.enumerated() {
                rateProblem(band.ratePerKW, "A rate per kW")
                if let upTo = band.upToTenthsKW {
                    if upTo > Self.maximumTenthsKW { problems.append("Load bands end at 1,000,000 kW at most.") }
                    if upTo <= lower { problems.append("Load band \(index + 1) must end above the one before.") }
                    lower = upTo
                    if index == bands.count - 1 { problems.append("The last load band must have no upper limit.") }
                }
            }
        }
        if case .flat(let monthly)? = fixedCharge { amountProblem(monthly, "The fixed charge") }
        if let minimum = minimumCharge { amountProblem(minimum, "The minimum charge") }
        for surcharge in surcharges {
            switch surcharge.amount {
            case .percent(let percentage, _): percentageProblem(percentage, surcharge.name)
            case .fixed(let monthly): amountProblem(monthly, surcharge.name)
            }
            // Counted as PostgreSQL counts: code points, not what Swift calls characters.
            if surcharge.name.trimmingCharacters(in: .whitespaces).isEmpty || surcharge.name.unicodeScalars.count > 60 {
                problems.append("Each surcharge needs a name of up to 60 characters.")
            }
            if case .percent(_, let base) = surcharge.amount, base == .subtotal {
                problems.append("\(surcharge.name): a surcharge is taken of energy, or energy and fixed charges.")
            }
        }
        for tax in taxes {
            if tax.name.trimmingCharacters(in: .whitespaces).isEmpty || tax.name.unicodeScalars.count > 60 {
                problems.append("Each tax needs a name of up to 60 characters.")
            }
            if !(0...1_000_000).contains(tax.percentage.partsPerMillion) { problems.append("\(tax.name): a tax is 0% to 100%.") }
        }
        switch lateFee {
        case .percentOfBill(let percentage)?: percentageProblem(percentage, "The late fee")
        case .fixed(let amount)?: amountProblem(amount, "The late fee")
        case nil: break
        }
        return problems
    }
}

/// The fuel cost adjustment of a month (it changes monthly, apart from the tariff's versions).
public enum FuelAdjustment: Codable, Sendable, Equatable {
    case perUnit(Rate)
    case percentOfEnergy(Percentage)
}
