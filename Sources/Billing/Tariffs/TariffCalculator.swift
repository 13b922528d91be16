import Platform

/// Prices a month's use under a tariff (BL-1): pure, no database, no clock. A period that spans
/// two tariff versions is split by days, each part priced by its own version, with the use
/// shared out in proportion to the days. Every line is rounded once; nothing is rounded twice.
public enum TariffCalculator {
    /// The days of the period priced by one tariff version.
    public struct Part: Sendable {
        public var rules: TariffRules
        public var days: Int
        public init(rules: TariffRules, days: Int) {
            self.rules = rules
            self.days = days
        }
    }

    public struct Input: Sendable {
        /// Units used in the whole period.
        public var units: Int64
        /// Days in the period (the calendar month's days for a monthly bill).
        public var periodDays: Int
        /// Consecutive parts whose days add up to `periodDays`; one part in the usual case.
        public var parts: [Part]
        /// Sanctioned load in tenths of a kW, for fixed charges per kW.
        public var loadTenthsKW: Int64?
        public var fuelAdjustment: FuelAdjustment?

        public init(units: Int64, periodDays: Int, parts: [Part], loadTenthsKW: Int64? = nil, fuelAdjustment: FuelAdjustment? = nil) {
            self.units = units
            self.periodDays = periodDays
            self.parts = parts
            self.loadTenthsKW = loadTenthsKW
            self.fuelAdjustment = fuelAdjustment
        }
    }

    /// Why a period cannot be priced; each is a fault in the data handed in, said plainly.
    public enum Refused: Error, Equatable, CustomStringConvertible {
        case negativeUse
        case daysDoNotAddUp
        case noSanctionedLoad
        case tooLarge

        public var description: String {
            switch self {
            case .negativeUse: "The use is negative: the closing reading is below the opening one."
            case .daysDoNotAddUp: "The tariff parts do not cover the period's days exactly."
            case .noSanctionedLoad: "The tariff charges per kW, and the account has no sanctioned load."
            case .tooLarge: "The amounts are too large to be billed."
            }
        }
    }

    public static func lines(_ input: Input) throws(Refused) -> [BillLine] {
        guard input.units >= 0 else { throw .negativeUse }
        guard input.periodDays > 0, !input.parts.isEmpty, input.parts.allSatisfy({ $0.days > 0 }),
            input.parts.reduce(0, { $0 + $1.days }) == input.periodDays
        else { throw .daysDoNotAddUp }
        do {
            var lines: [BillLine] = []
            var unitsLeft = input.units
            for (index, part) in input.parts.enumerated() {
                // Use shared by days; the last part takes what is left, so the parts add up.
                let units =
                    index == input.parts.count - 1
                    ? unitsLeft : try Money.rounding(input.units, times: Int64(part.days), dividedBy: Int64(input.periodDays)).minorUnits
                unitsLeft -= units
                lines += try price(part: part, index: index, units: units, input: input)
            }
            return lines
        } catch let refused as Refused {
            throw refused
        } catch {
            throw .tooLarge
        }
    }

    private static func price(part: Part, index: Int, units: Int64, input: Input) throws -> [BillLine] {
        let rules = part.rules
        let days = part.days
        let periodDays = input.periodDays
        var lines = try energy(rules: rules, units: units, totalUnits: input.units, days: days, periodDays: periodDays, part: index)
        let energy = lines.map(\.amount).sum()

        if let fixed = rules.fixedCharge {
            lines.append(try fixedCharge(fixed, load: input.loadTenthsKW, days: days, periodDays: periodDays, part: index))
        }
        var energyAndFixed = lines.map(\.amount).sum()
        if let minimum = rules.minimumCharge {
            let floor = try prorated(minimum, days: days, of: periodDays)
            if energyAndFixed < floor {
                lines.append(
                    BillLine(
                        kind: .minimumCharge, label: "Minimum charge", amount: floor - energyAndFixed, base: energyAndFixed,
                        monthly: minimum, days: days, periodDays: periodDays, part: index))
                energyAndFixed = floor
            }
        }
        for surcharge in rules.surcharges {
            switch surcharge.amount {
            case .percent(let percentage, let base):
                let basis = base == .energy ? energy : energyAndFixed
                lines.append(
                    BillLine(
                        kind: .surcharge, label: surcharge.name, amount: try percentage.of(basis), percentage: percentage, base: basis,
                        part: index))
            case .fixed(let monthly):
                lines.append(
                    BillLine(
                        kind: .surcharge, label: surcharge.name, amount: try prorated(monthly, days: days, of: periodDays), monthly: monthly,
                        days: days, periodDays: periodDays, part: index))
            }
        }
        switch input.fuelAdjustment {
        case .perUnit(let rate)?:
            lines.append(
                BillLine(
                    kind: .fuelAdjustment, label: "Fuel cost adjustment", amount: try rate.charge(units: units), units: units, rate: rate, part: index
                ))
        case .percentOfEnergy(let percentage)?:
            lines.append(
                BillLine(
                    kind: .fuelAdjustment, label: "Fuel cost adjustment", amount: try percentage.of(energy), percentage: percentage, base: energy,
                    part: index))
        case nil: break
        }
        let subtotal = lines.map(\.amount).sum()
        for tax in rules.taxes {
            let basis =
                switch tax.base {
                case .energy: energy
                case .energyAndFixed: energyAndFixed
                case .subtotal: subtotal
                }
            lines.append(
                BillLine(kind: .tax, label: tax.name, amount: try tax.percentage.of(basis), percentage: tax.percentage, base: basis, part: index))
        }
        return lines
    }

    /// The energy lines: one per block used (telescopic), or one for all units (non-telescopic).
    private static func energy(
        rules: TariffRules, units: Int64, totalUnits: Int64, days: Int, periodDays: Int, part: Int
    ) throws -> [BillLine] {
        // The table is chosen by the whole period's use, before any scaling.
        guard
            let table = rules.blockTables.first(where: { totalUnits >= $0.fromTotal && totalUnits <= ($0.toTotal ?? .max) })
                ?? rules.blockTables.last
        else { return [] }
        // Block bounds scale with the part's days: on the tariff's day basis, or else on the period.
        let basis = Int64(rules.dayScalingBasisDays ?? periodDays)
        let bounds = try table.blocks.map { block in
            try block.upTo.map { try Money.rounding($0, times: Int64(days), dividedBy: basis).minorUnits }
        }
        switch rules.blockMode {
        case .telescopic:
            var lines: [BillLine] = []
            var lower: Int64 = 0
            var left = units
            for (block, bound) in zip(table.blocks, bounds) {
                let size = bound.map { max(0, $0 - lower) } ?? left
                let taken = min(left, size)
                if taken > 0 || (units == 0 && lines.isEmpty) {
                    lines.append(
                        BillLine(
                            kind: .energy, label: blockLabel(lower: lower, upper: bound), amount: try block.rate.charge(units: taken), units: taken,
                            rate: block.rate, part: part))
                }
                left -= taken
                lower = bound ?? lower
                if left == 0 { break }
            }
            return lines
        case .nonTelescopic:
            var lower: Int64 = 0
            for (block, bound) in zip(table.blocks, bounds) {
                if bound == nil || units <= bound! {
                    return [
                        BillLine(
                            kind: .energy, label: "All units, at the rate for \(blockLabel(lower: lower, upper: bound).lowercased())",
                            amount: try block.rate.charge(units: units), units: units, rate: block.rate, part: part)
                    ]
                }
                lower = bound!
            }
            return []
        }
    }

    /// "First 100 units", "Units 101–300", "Units above 300".
    static func blockLabel(lower: Int64, upper: Int64?) -> String {
        guard let upper else { return lower == 0 ? "All units" : "Units above \(lower)" }
        return lower == 0 ? "First \(upper) units" : "Units \(lower + 1)–\(upper)"
    }

    private static func fixedCharge(
        _ fixed: TariffRules.FixedCharge, load: Int64?, days: Int, periodDays: Int, part: Int
    ) throws -> BillLine {
        switch fixed {
        case .flat(let monthly):
            return BillLine(
                kind: .fixedCharge, label: "Fixed charge", amount: try prorated(monthly, days: days, of: periodDays), monthly: monthly, days: days,
                periodDays: periodDays, part: part)
        case .perKilowatt(let bands):
            guard let load else { throw Refused.noSanctionedLoad }
            guard let band = bands.first(where: { load <= ($0.upToTenthsKW ?? .max) }) ?? bands.last else { throw Refused.noSanctionedLoad }
            // One rounding for the whole line: rate × load × days ÷ period days.
            let amount = try Money.rounding(
                load * Int64(days), times: band.ratePerKW.tenThousandthsOfMinorUnit, dividedBy: Rate.scale * 10 * Int64(periodDays))
            let monthly = try band.ratePerKW.charge(tenths: load)
            let kilowatts = DecimalText.format(load.magnitude, fractionDigits: 1, minimumFractionDigits: 0)
            return BillLine(
                kind: .fixedCharge, label: "Fixed charge for \(kilowatts) kW of sanctioned load", amount: amount, rate: nil, monthly: monthly,
                days: days, periodDays: periodDays, part: part)
        }
    }

    private static func prorated(_ monthly: Money, days: Int, of periodDays: Int) throws -> Money {
        days == periodDays ? monthly : try Money.rounding(monthly.minorUnits, times: Int64(days), dividedBy: Int64(periodDays))
    }
}
