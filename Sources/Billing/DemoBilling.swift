import Platform

/// The demo town's money: a tariff per category, one of them changing in the middle of a month
/// (so a bill shows two parts), a fuel adjustment for every month, sanctioned loads for the
/// premises whose tariffs charge per kW, and a year of issued bills up to the month before last,
/// drafted by one finance user and approved by another, as a real month would be. Last month is
/// left for finance to run. Safe to run again.
public struct DemoBilling: Sendable {
    let database: Database
    let settings: BillingSettings

    public init(database: Database, settings: BillingSettings) {
        self.database = database
        self.settings = settings
    }

    static func pence(_ value: Int64) -> Rate { Rate(minorUnits: value) }

    static let residential = TariffRules(
        blockMode: .telescopic, dayScalingBasisDays: 30,
        blockTables: [.init(blocks: [.init(upTo: 100, rate: pence(12)), .init(upTo: 300, rate: pence(18)), .init(upTo: nil, rate: pence(24))])],
        fixedCharge: .flat(monthly: Money(minorUnits: 800)),
        surcharges: [.init(name: "Electricity duty", amount: .percent(.percent(5), of: .energy))],
        taxes: [.init(name: "VAT", percentage: .percent(5), base: .subtotal)], lateFee: .fixed(Money(minorUnits: 500)))

    /// From the middle of a month half a year ago: dearer upper blocks.
    static let residentialLater: TariffRules = {
        var rules = residential
        rules.blockTables = [
            .init(blocks: [.init(upTo: 100, rate: pence(12)), .init(upTo: 300, rate: pence(20)), .init(upTo: nil, rate: pence(27))])
        ]
        return rules
    }()

    static let commercial = TariffRules(
        blockMode: .nonTelescopic,
        blockTables: [.init(blocks: [.init(upTo: 500, rate: pence(20)), .init(upTo: nil, rate: pence(26))])],
        fixedCharge: .perKilowatt(bands: [.init(upToTenthsKW: 100, ratePerKW: pence(250)), .init(upToTenthsKW: nil, ratePerKW: pence(300))]),
        minimumCharge: Money(minorUnits: 2_500),
        surcharges: [.init(name: "Meter rent", amount: .fixed(monthly: Money(minorUnits: 300)))],
        taxes: [.init(name: "VAT", percentage: .percent(20), base: .subtotal)], lateFee: .percentOfBill(.percent(2)))

    static let industrial = TariffRules(
        blockMode: .telescopic,
        blockTables: [
            .init(fromTotal: 0, toTotal: 5_000, blocks: [.init(upTo: 2_000, rate: pence(16)), .init(upTo: nil, rate: pence(14))]),
            .init(fromTotal: 5_001, toTotal: nil, blocks: [.init(upTo: nil, rate: pence(13))]),
        ],
        fixedCharge: .perKilowatt(bands: [.init(upToTenthsKW: nil, ratePerKW: pence(400))]),
        surcharges: [.init(name: "Electricity duty", amount: .percent(Percentage(partsPerMillion: 15_000), of: .energyAndFixed))],
        taxes: [.init(name: "VAT", percentage: .percent(20), base: .subtotal)], lateFee: .percentOfBill(.percent(2)))

    /// Adds what is missing and issues the bills of every complete month of the past year that
    /// has none; `step` hears each month.
    public func seed(
        drafter: Int64, approver: Int64, months: Int = 12, issueBills: Bool = true, step: @Sendable (String) -> Void = { _ in }
    ) async throws {
        let today = CalendarDay.current(database.clock)
        let current = BillingPeriod(containing: today)
        var periods: [BillingPeriod] = []
        // The year before last month: last month is left for finance to draft and approve.
        var period = current.previous.previous
        for _ in 0..<months {
            periods.insert(period, at: 0)
            period = period.previous
        }
        let book = TariffBook(database: database)
        let hasTariffs = try await database.query("SELECT 1 FROM tariffs LIMIT 1").rows.first != nil
        if !hasTariffs, let oldest = periods.first {
            let start = oldest.previous.first
            try await book.addVersion(category: "residential", tariffName: "Domestic", effectiveFrom: start, rules: Self.residential, by: nil)
            let change = periods[periods.count / 2]
            try await book.addVersion(
                category: "residential", tariffName: "Domestic", effectiveFrom: CalendarDay("\(change)-15")!, rules: Self.residentialLater,
                note: "Upper blocks dearer from the middle of the month", by: nil)
            try await book.addVersion(category: "commercial", tariffName: "Business", effectiveFrom: start, rules: Self.commercial, by: nil)
            try await book.addVersion(category: "industrial", tariffName: "Industrial", effectiveFrom: start, rules: Self.industrial, by: nil)
        }
        for (index, period) in (periods + [current.previous]).enumerated() {
            try await database.query(
                """
                INSERT INTO fuel_adjustments (category, month, kind, value)
                SELECT c, $1::date, 'per_unit', $2 FROM unnest(ARRAY['residential', 'commercial', 'industrial']) AS c
                ON CONFLICT DO NOTHING
                """, [period.first.description, Int64(2_000 + 500 * (index % 5))])
        }
        // Loads from 3 to 60 kW, the same for a premise every time the seed runs.
        try await database.query(
            """
            UPDATE accounts SET sanctioned_load_tenths_kw = CASE category WHEN 'industrial' THEN 150 + (id * 37) % 450 ELSE 30 + (id * 13) % 120 END
            WHERE category IN ('commercial', 'industrial') AND sanctioned_load_tenths_kw IS NULL
            """)
        for period in periods where issueBills {
            if let run = try await BillRun.live(for: period, in: database), run.status == .issued { continue }
            step("bills for \(period.name)")
            // Each month is billed on the first morning of the next, as it would have been: 08:00 in
            // the utility's time zone.
            let zone = database.clock.timeZone
            let utcMorning = PostgresTimestamp.parse("\(period.next.first) 08:00:00+00")!
            let morning = utcMorning.addingTimeInterval(-Double(zone.secondsFromGMT(for: utcMorning)))
            let clock = MovableClock(morning, timeZone: zone)
            var run = try await BillRun.live(for: period, in: database)
            if run == nil || run?.status == .drafting {
                run = try await DraftBillRun(database: database, settings: settings, clock: clock).run(period: period, by: drafter)
            }
            guard let runID = run?.id else { continue }
            clock.advance(by: 3600)
            if run?.status == .draft { try await ApproveBillRun(database: database, clock: clock).run(runID, by: approver) }
            _ = try await IssueBillRun(database: database, settings: settings, clock: clock).run(runID)
        }
    }
}
