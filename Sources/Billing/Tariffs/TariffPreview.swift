import Platform

/// Sample bills under a proposed tariff version beside the version in force (BL-1): an admin sees
/// what a change does to a month's bill at each block boundary before saving it.
public enum TariffPreview {
    public struct Sample: Sendable, Equatable {
        public let units: Int64
        public let current: Money?
        public let proposed: Money
    }

    /// Per-kW fixed charges are sampled for this sanctioned load: 5 kW.
    public static let sampleLoadTenthsKW: Int64 = 50

    /// A 30-day month at no use, 50 units, each block boundary and the unit past it, and twice
    /// the highest boundary; fuel adjustments, which change monthly, are left out.
    public static func samples(current: TariffRules?, proposed: TariffRules, periodDays: Int = 30) throws -> [Sample] {
        var bounds: Set<Int64> = [0, 50]
        for table in proposed.blockTables {
            if table.fromTotal > 0 { bounds.insert(table.fromTotal) }
            for upTo in table.blocks.compactMap(\.upTo) { bounds.formUnion([upTo, upTo + 1]) }
        }
        bounds.insert(max(1_000, 2 * (bounds.max() ?? 0)))
        return try bounds.sorted().prefix(14).map { units in
            Sample(units: units, current: try current.map { try total(units, $0, periodDays) }, proposed: try total(units, proposed, periodDays))
        }
    }

    static func total(_ units: Int64, _ rules: TariffRules, _ periodDays: Int) throws -> Money {
        try TariffCalculator.lines(
            .init(units: units, periodDays: periodDays, parts: [.init(rules: rules, days: periodDays)], loadTenthsKW: sampleLoadTenthsKW)
        ).map(\.amount).sum()
    }
}
