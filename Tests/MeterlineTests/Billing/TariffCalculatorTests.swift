import Testing

@testable import Billing
@testable import Platform

/// BL-1: the tariff engine, table by table. Amounts are in pence (minor units).
@Suite("Tariff calculator (BL-1)")
struct TariffCalculatorTests {
    /// 0–100 at 3.00, 101–300 at 4.50, above at 6.00.
    static let blocks = [
        TariffRules.Block(upTo: 100, rate: Rate(minorUnits: 300)),
        TariffRules.Block(upTo: 300, rate: Rate(minorUnits: 450)),
        TariffRules.Block(upTo: nil, rate: Rate(minorUnits: 600)),
    ]

    static func rules(_ mode: TariffRules.BlockMode, dayBasis: Int? = nil) -> TariffRules {
        TariffRules(blockMode: mode, dayScalingBasisDays: dayBasis, blockTables: [.init(blocks: blocks)])
    }

    static func price(_ rules: TariffRules, units: Int64, days: Int = 30, load: Int64? = nil, fuel: FuelAdjustment? = nil) throws -> [BillLine] {
        try TariffCalculator.lines(
            .init(units: units, periodDays: days, parts: [.init(rules: rules, days: days)], loadTenthsKW: load, fuelAdjustment: fuel))
    }

    static func total(_ lines: [BillLine]) -> Int64 { lines.map(\.amount).sum().minorUnits }

    @Test(
        "telescopic blocks charge each block's units at its own rate",
        arguments: [
            (Int64(0), Int64(0)), (1, 300), (100, 30_000), (101, 30_450), (250, 97_500), (300, 120_000), (301, 120_600), (1_000, 540_000),
        ])
    func telescopic(units: Int64, pence: Int64) throws {
        #expect(Self.total(try Self.price(Self.rules(.telescopic), units: units)) == pence)
    }

    @Test(
        "non-telescopic blocks charge every unit at the rate of the block the total falls in",
        arguments: [
            (Int64(0), Int64(0)), (100, 30_000), (101, 45_450), (250, 112_500), (300, 135_000), (301, 180_600),
        ])
    func nonTelescopic(units: Int64, pence: Int64) throws {
        #expect(Self.total(try Self.price(Self.rules(.nonTelescopic), units: units)) == pence)
    }

    @Test("one rate for all units is right only in non-telescopic mode")
    func oneRateIsNotTelescopic() throws {
        let allAtSecondRate: Int64 = 250 * 450
        #expect(Self.total(try Self.price(Self.rules(.nonTelescopic), units: 250)) == allAtSecondRate)
        #expect(Self.total(try Self.price(Self.rules(.telescopic), units: 250)) != allAtSecondRate)
    }

    @Test("each block used is a line a consumer can follow")
    func linesExplainTheBlocks() throws {
        let lines = try Self.price(Self.rules(.telescopic), units: 250)
        #expect(lines.map(\.label) == ["First 100 units", "Units 101–300"])
        #expect(lines.map(\.units) == [100, 150])
        #expect(lines[1].arithmetic(in: .poundSterling) == "150 units × £4.50 = £675.00")
        let flat = try Self.price(Self.rules(.nonTelescopic), units: 250)
        #expect(flat.map(\.label) == ["All units, at the rate for units 101–300"])
    }

    @Test("zero use is one line of nothing, and the fixed charge is still due")
    func zeroUse() throws {
        var rules = Self.rules(.telescopic)
        rules.fixedCharge = .flat(monthly: Money(minorUnits: 1_500))
        let lines = try Self.price(rules, units: 0)
        #expect(lines.map(\.amount.minorUnits) == [0, 1_500])
    }

    @Test("huge use is priced exactly; use beyond what money can hold is refused")
    func hugeUse() throws {
        #expect(Self.total(try Self.price(Self.rules(.telescopic), units: 1_000_000_000)) == 30_000 + 90_000 + (1_000_000_000 - 300) * 600)
        #expect(throws: TariffCalculator.Refused.tooLarge) { try Self.price(Self.rules(.telescopic), units: .max / 2) }
        #expect(throws: TariffCalculator.Refused.negativeUse) { try Self.price(Self.rules(.telescopic), units: -1) }
    }

    @Test("the table of blocks is chosen by the total: above 500 units the free first block is lost")
    func tableByTotal() throws {
        let rules = TariffRules(
            blockMode: .telescopic,
            blockTables: [
                .init(
                    fromTotal: 0, toTotal: 500, blocks: [.init(upTo: 100, rate: Rate(minorUnits: 0)), .init(upTo: nil, rate: Rate(minorUnits: 400))]),
                .init(fromTotal: 501, toTotal: nil, blocks: [.init(upTo: nil, rate: Rate(minorUnits: 500))]),
            ])
        #expect(rules.problems().isEmpty)
        #expect(Self.total(try Self.price(rules, units: 100)) == 0)
        #expect(Self.total(try Self.price(rules, units: 500)) == 400 * 400)
        #expect(Self.total(try Self.price(rules, units: 501)) == 501 * 500)
    }

    @Test("blocks scale with the bill's days: a 100-unit block is 103 units for 31 days on a 30-day basis")
    func dayScaling() throws {
        let lines = try Self.price(Self.rules(.telescopic, dayBasis: 30), units: 150, days: 31)
        #expect(lines.map(\.units) == [103, 47])
        #expect(lines.map(\.label) == ["First 103 units", "Units 104–310"])
        // Without a day basis, a whole month uses the blocks as published.
        #expect(try Self.price(Self.rules(.telescopic), units: 150, days: 31).map(\.units) == [100, 50])
    }

    @Test("a month across two tariff versions is split by days, each part at its own version")
    func prorationAcrossVersions() throws {
        var old = Self.rules(.telescopic)
        old.fixedCharge = .flat(monthly: Money(minorUnits: 3_100))
        var new = TariffRules(blockMode: .telescopic, blockTables: [.init(blocks: [.init(upTo: nil, rate: Rate(minorUnits: 500))])])
        new.fixedCharge = .flat(monthly: Money(minorUnits: 6_200))
        let lines = try TariffCalculator.lines(
            .init(units: 310, periodDays: 31, parts: [.init(rules: old, days: 10), .init(rules: new, days: 21)]))
        // 310 units: 100 in the first 10 days, 210 in the other 21.
        let first = lines.filter { $0.part == 0 }
        let second = lines.filter { $0.part == 1 }
        #expect(first.filter { $0.kind == .energy }.compactMap(\.units).reduce(0, +) == 100)
        #expect(second.filter { $0.kind == .energy }.compactMap(\.units).reduce(0, +) == 210)
        // The old version's blocks shrink to the 10 days: 100 → 32 units, 300 → 97 (300 × 10 ÷ 31).
        #expect(first.filter { $0.kind == .energy }.map(\.units) == [32, 65, 3])
        #expect(first.first { $0.kind == .fixedCharge }?.amount == Money(minorUnits: 1_000))
        #expect(second.first { $0.kind == .fixedCharge }?.amount == Money(minorUnits: 4_200))
        #expect(first.first { $0.kind == .fixedCharge }?.arithmetic(in: .poundSterling) == "£31.00 a month for 10 of 31 days = £10.00")
        #expect(throws: TariffCalculator.Refused.daysDoNotAddUp) {
            try TariffCalculator.lines(.init(units: 1, periodDays: 31, parts: [.init(rules: old, days: 10)]))
        }
    }

    @Test("a fixed charge per kW takes the rate of the band the sanctioned load is in")
    func fixedPerKilowatt() throws {
        var rules = Self.rules(.telescopic)
        rules.fixedCharge = .perKilowatt(bands: [
            .init(upToTenthsKW: 50, ratePerKW: Rate(minorUnits: 2_000)), .init(upToTenthsKW: nil, ratePerKW: Rate(minorUnits: 2_500)),
        ])
        let small = try Self.price(rules, units: 0, load: 50)
        #expect(small.last?.amount == Money(minorUnits: 10_000))
        let large = try Self.price(rules, units: 0, load: 75)
        #expect(large.last?.amount == Money(minorUnits: 18_750))
        #expect(large.last?.label == "Fixed charge for 7.5 kW of sanctioned load")
        #expect(throws: TariffCalculator.Refused.noSanctionedLoad) { try Self.price(rules, units: 0) }
    }

    @Test("below the minimum charge, the difference is a line of its own")
    func minimumCharge() throws {
        var rules = Self.rules(.telescopic)
        rules.fixedCharge = .flat(monthly: Money(minorUnits: 2_000))
        rules.minimumCharge = Money(minorUnits: 10_000)
        let low = try Self.price(rules, units: 10)  // 30.00 energy + 20.00 fixed
        #expect(low.map(\.kind) == [.energy, .fixedCharge, .minimumCharge])
        #expect(low.last?.amount == Money(minorUnits: 5_000))
        #expect(low.last?.arithmetic(in: .poundSterling) == "minimum £100.00 less £50.00 already charged = £50.00")
        #expect(try Self.price(rules, units: 100).map(\.kind) == [.energy, .fixedCharge])
    }

    @Test("surcharges, the month's fuel adjustment and taxes are each a line, on their bases")
    func chargesOnBases() throws {
        var rules = Self.rules(.telescopic)
        rules.fixedCharge = .flat(monthly: Money(minorUnits: 1_000))
        rules.surcharges = [
            .init(name: "Electricity duty", amount: .percent(Percentage.percent(6), of: .energy)),
            .init(name: "Meter rent", amount: .fixed(monthly: Money(minorUnits: 500))),
        ]
        rules.taxes = [.init(name: "VAT", percentage: .percent(5), base: .subtotal)]
        let lines = try Self.price(rules, units: 250, fuel: .perUnit(Rate(tenThousandthsOfMinorUnit: 37_500)))
        #expect(
            lines.map(\.label) == [
                "First 100 units", "Units 101–300", "Fixed charge", "Electricity duty", "Meter rent", "Fuel cost adjustment", "VAT",
            ])
        // Energy 975.00; duty 6% = 58.50; fuel 250 × 3.75p = 9.375 → 9.38; subtotal 975 + 10 + 58.50 + 5 + 9.38 = 1,057.88; VAT 52.894 → 52.89.
        #expect(lines.map(\.amount.minorUnits) == [30_000, 67_500, 1_000, 5_850, 500, 938, 5_289])
        #expect(lines[3].arithmetic(in: .poundSterling) == "6% of £975.00 = £58.50")
        #expect(lines[5].arithmetic(in: .poundSterling) == "250 units × £0.0375 = £9.38")
        let percentFuel = try Self.price(rules, units: 100, fuel: .percentOfEnergy(Percentage(partsPerMillion: 25_000)))
        #expect(percentFuel.first { $0.kind == .fuelAdjustment }?.amount == Money(minorUnits: 750))
    }

    @Test("every line is rounded once, half up, and the total is the sum of rounded lines")
    func roundingPerLine() throws {
        // 3 units at 4.5025: 13.5075 → 13.51; then three taxes of 0.05% of it: each 0.0067 → 0.01.
        var rules = TariffRules(
            blockMode: .telescopic, blockTables: [.init(blocks: [.init(upTo: nil, rate: Rate(tenThousandthsOfMinorUnit: 4_502_500))])])
        rules.taxes = (1...3).map { .init(name: "Levy \($0)", percentage: Percentage(partsPerMillion: 500), base: .energy) }
        let lines = try Self.price(rules, units: 3)
        #expect(lines.map(\.amount.minorUnits) == [1_351, 1, 1, 1])
        #expect(Self.total(lines) == 1_354)
    }

    @Test("rules that would leave some use unpriced are refused with what to fix")
    func problems() {
        #expect(Self.rules(.telescopic).problems().isEmpty)
        let open = TariffRules(blockMode: .telescopic, blockTables: [.init(blocks: [.init(upTo: 100, rate: Rate(minorUnits: 1))])])
        #expect(open.problems() == ["The blocks: the last block must have no upper limit."])
        let backwards = TariffRules(
            blockMode: .telescopic,
            blockTables: [
                .init(blocks: [
                    .init(upTo: 100, rate: Rate(minorUnits: 1)), .init(upTo: 50, rate: Rate(minorUnits: 1)),
                    .init(upTo: nil, rate: Rate(minorUnits: 1)),
                ])
            ])
        #expect(backwards.problems() == ["The blocks: block 2 must end above 100 units."])
        let gap = TariffRules(
            blockMode: .telescopic,
            blockTables: [
                .init(fromTotal: 0, toTotal: 100, blocks: [.init(upTo: nil, rate: Rate(minorUnits: 1))]),
                .init(fromTotal: 200, toTotal: nil, blocks: [.init(upTo: nil, rate: Rate(minorUnits: 1))]),
            ])
        #expect(gap.problems() == ["Table 2 must start at 101 units of total use, so every total has a table."])
        #expect(TariffRules(blockMode: .telescopic, blockTables: []).problems() == ["Give at least one table of blocks."])
    }

    @Test("rates and percentages are typed as decimals and shown the same way")
    func rateText() {
        #expect(Rate("4.50", currency: .poundSterling) == Rate(minorUnits: 450))
        #expect(Rate("0.0375", currency: .poundSterling) == Rate(tenThousandthsOfMinorUnit: 37_500))
        #expect(Rate("0.000001", currency: .poundSterling) == Rate(tenThousandthsOfMinorUnit: 1))
        #expect(Rate("0.0000001", currency: .poundSterling) == nil)
        #expect(Rate(tenThousandthsOfMinorUnit: 37_500).text(in: .poundSterling) == "£0.0375")
        #expect(Percentage("17.5")?.text == "17.5%")
        #expect(Percentage("abc") == nil)
    }
}
