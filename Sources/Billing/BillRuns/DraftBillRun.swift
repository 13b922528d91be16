import Foundation
import Platform

/// BL-2: works out the month's bill for every active postpaid account, as a draft that finance
/// previews. Idempotent and resumable: bills are unique per account and month, each batch is one
/// transaction, and starting the run again picks up the accounts that have no bill yet.
public struct DraftBillRun: Sendable {
    let database: Database
    let settings: BillingSettings
    /// Today, and the time records are stamped with: the database's clock unless given one.
    let clock: any WallClock

    public init(database: Database, settings: BillingSettings, clock: (any WallClock)? = nil) {
        self.database = database
        self.settings = settings
        self.clock = clock ?? database.clock
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case monthNotOver(BillingPeriod)
        case alreadyDrafted(BillingPeriod, BillRun.Status)
        case noTariff(categories: [String], BillingPeriod)
        case noSanctionedLoad(count: Int, category: String)
        case laterMonthBilled(BillingPeriod)
        case previousMonthOpen(BillingPeriod)

        public var description: String {
            switch self {
            case .monthNotOver(let period): "\(period.name) is not over yet: bills are made once the month has ended."
            case .alreadyDrafted(let period, let status):
                "\(period.name) already has a bill run (\(status.rawValue)). Discard the draft to start again."
            case .noTariff(let categories, let period):
                "No tariff covers all of \(period.name) for \(categories.joined(separator: ", ")) accounts. Add a tariff version first."
            case .noSanctionedLoad(let count, let category):
                "\(count) \(category) accounts have no sanctioned load, and their tariff charges per kW. Record their load first."
            case .laterMonthBilled(let period):
                "Bills after \(period.name) exist already: a month is billed after the one before it, never after a later one."
            case .previousMonthOpen(let period):
                "\(period.previous.name) has a run that is not issued yet: issue or discard it before drafting \(period.name)."
            }
        }
    }

    /// Starts the month's run, or resumes one that was interrupted; `progress` hears (done, total)
    /// after each batch. Returns the run, drafted.
    public func run(
        period: BillingPeriod, by userID: Int64, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> BillRun {
        let run = try await start(period: period, by: userID)
        return try await resume(run, progress: progress)
    }

    /// Checks the month can be billed and opens its run (or finds the one still drafting), without
    /// working out any bill yet: the web starts a run, then resumes it in the background.
    public func start(period: BillingPeriod, by userID: Int64) async throws -> BillRun {
        guard period.last < CalendarDay.current(clock) else { throw Refused.monthNotOver(period) }
        // A discard that stopped halfway left bills that would stand in this run's way.
        try await DiscardBillRun(database: database).clearLeftovers(of: period)
        let versions = try await TariffBook(database: database).versions(in: period)
        let runID = try await start(period: period, userID: userID, versions: versions)
        return try await BillRun.find(runID, in: database)
    }

    /// Works out the bills of a drafting run's accounts that have none yet, batch by batch.
    public func resume(_ run: BillRun, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> BillRun {
        guard run.status == .drafting else { return run }
        let period = run.period
        let versions = try await TariffBook(database: database).versions(in: period)
        let fuel = try await Self.fuelAdjustments(period, in: database)
        let database = self.database
        // Progress is counted apart from the batches (a crash can leave it short); it is made exact
        // when the run starts and ends.
        let counted = try await database.query(
            """
            UPDATE bill_runs SET accounts_done = (SELECT count(*) FROM bills WHERE bill_run_id = $1 AND replaces_bill_id IS NULL)
            WHERE id = $1 RETURNING accounts_done, accounts_total
            """, [run.id]
        ).rows[0]
        progress(try counted.decode("accounts_done"), try counted.decode("accounts_total"))
        let workers = settings.draftWorkers
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var cursor: Int64 = 0
                    while true {
                        // Between batches only: a cancelled run stops with whole batches stored, as after a crash.
                        try Task.checkCancellation()
                        let batch = try await draftBatch(
                            runID: run.id, period: period, after: cursor, worker: worker, of: workers, versions: versions, fuel: fuel)
                        guard let last = batch.lastAccount else { break }
                        cursor = last
                        let counts = try await database.query(
                            "UPDATE bill_runs SET accounts_done = accounts_done + $2 WHERE id = $1 RETURNING accounts_done, accounts_total",
                            [run.id, batch.drafted]
                        ).rows[0]
                        progress(try counts.decode("accounts_done"), try counts.decode("accounts_total"))
                    }
                }
            }
            try await group.waitForAll()
        }
        try await database.query(
            """
            UPDATE bill_runs SET status = 'draft',
                   accounts_done = (SELECT count(*) FROM bills WHERE bill_run_id = $1 AND replaces_bill_id IS NULL)
            WHERE id = $1 AND status = 'drafting'
            """, [run.id])
        return try await BillRun.find(run.id, in: database)
    }

    /// The month's live run if it is still drafting; otherwise a new one.
    private func start(period: BillingPeriod, userID: Int64, versions: [String: [TariffBook.Version]]) async throws -> Int64 {
        let now = clock.now
        return try await database.transaction { connection in
            if let row = try connection.query(
                "SELECT id, status FROM bill_runs WHERE period = $1::date AND status <> 'discarded' FOR UPDATE", [period.first.description]
            ).rows.first {
                let status: BillRun.Status = try row.decode("status")
                guard status == .drafting else { throw Refused.alreadyDrafted(period, status) }
                return try row.decode("id", as: Int64.self)
            }
            // Months are billed in order: a bill's opening is the previous issued bill's closing.
            let later = try connection.query("SELECT 1 FROM bills WHERE period > $1::date LIMIT 1", [period.first.description]).rows
            guard later.isEmpty else { throw Refused.laterMonthBilled(period) }
            let previousOpen = try connection.query(
                "SELECT 1 FROM bill_runs WHERE period = $1::date AND status NOT IN ('issued', 'discarded')", [period.previous.first.description]
            ).rows
            guard previousOpen.isEmpty else { throw Refused.previousMonthOpen(period) }
            let categories = try connection.query(
                """
                SELECT category, count(*) AS accounts, count(*) FILTER (WHERE sanctioned_load_tenths_kw IS NULL) AS without_load
                FROM accounts WHERE status = 'active' AND billing_type = 'postpaid' GROUP BY category ORDER BY category
                """
            ).rows
            var uncovered: [String] = []
            var total = 0
            for row in categories {
                let category: String = try row.decode("category")
                total += try row.decode("accounts", as: Int.self)
                guard let first = versions[category]?.first, first.effectiveFrom <= period.first else {
                    uncovered.append(category)
                    continue
                }
                let withoutLoad: Int = try row.decode("without_load")
                let perKilowatt = versions[category]!.contains { if case .perKilowatt? = $0.rules.fixedCharge { true } else { false } }
                if perKilowatt, withoutLoad > 0 { throw Refused.noSanctionedLoad(count: withoutLoad, category: category) }
            }
            guard uncovered.isEmpty else { throw Refused.noTariff(categories: uncovered, period) }
            // Two finance users starting the same month at once: the second one finds the first's run.
            if let row = try connection.query(
                """
                INSERT INTO bill_runs (period, status, accounts_total, created_by, created_at)
                VALUES ($1::date, 'drafting', $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id
                """, [period.first.description, total, userID, now]
            ).rows.first {
                return try row.decode("id", as: Int64.self)
            }
            throw Refused.alreadyDrafted(period, .drafting)
        }
    }

    static func fuelAdjustments(_ period: BillingPeriod, in database: Database) async throws -> [String: FuelAdjustment] {
        var adjustments: [String: FuelAdjustment] = [:]
        for row in try await database.query(
            "SELECT category, kind, value FROM fuel_adjustments WHERE month = $1::date", [period.first.description]
        ).rows {
            let value: Int64 = try row.decode("value")
            adjustments[try row.decode("category")] =
                try row.decode("kind", as: String.self) == "per_unit"
                ? .perUnit(Rate(tenThousandthsOfMinorUnit: value)) : .percentOfEnergy(Percentage(partsPerMillion: value))
        }
        return adjustments
    }

    /// What one account's month looks like in the database, read for a whole batch in one query.
    struct Usage {
        let accountID: Int64
        let category: String
        let load: Int64?
        let openingOn: String?
        let openingValue: Int64?
        let closingOn: String?
        let closingValue: Int64?
        let closingFlag: String?
        /// Units read since the last bill with an actual reading (or since the meter's first reading).
        let actualUnits: Int64
        /// Units billed on estimates since then.
        let estimatedUnits: Int64
        /// The day `actualUnits` are counted from (exclusive): the last actual bill's closing, or
        /// where estimates began.
        let since: String?
        /// Usual use in thousandths of a unit a day, over the year before the month.
        let usualDailyMilli: Int64?
    }

    private func draftBatch(
        runID: Int64, period: BillingPeriod, after cursor: Int64, worker: Int, of workers: Int, versions: [String: [TariffBook.Version]],
        fuel: [String: FuelAdjustment]
    ) async throws -> (lastAccount: Int64?, drafted: Int) {
        let first = period.first.description
        let last = period.last.description
        let batchSize = settings.batchSize
        return try await database.transaction { connection in
            // The run's row is held for the batch, in the weakest mode: batches and the progress count
            // share it, a discard (or a credit note under this month) waits, and a discarded run stops here.
            let status = try connection.query("SELECT status FROM bill_runs WHERE id = $1 FOR KEY SHARE", [runID]).rows.first?
                .decode("status", as: BillRun.Status.self)
            guard status == .drafting else { return (nil, 0) }
            let usages = try connection.query(
                Self.usageQuery(
                    batch: """
                        SELECT a.id, a.category, a.sanctioned_load_tenths_kw AS load FROM accounts a
                        WHERE a.status = 'active' AND a.billing_type = 'postpaid' AND a.id > $1 AND a.id % $5 = $6
                          AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.account_id = a.id AND b.period = $2::date)
                        ORDER BY a.id LIMIT $3
                        """), [cursor, first, batchSize, last, workers, worker]
            ).rows.map(Self.usage)
            guard let lastAccount = usages.last?.accountID else { return (nil, 0) }
            var bills: [[String?]] = []
            var lines: [[String?]] = []
            for usage in usages {
                let drafted: DraftedBill
                do {
                    drafted = try Self.bill(
                        for: usage, period: period, versions: versions[usage.category] ?? [], fuel: fuel[usage.category],
                        backBillingMonths: settings.backBillingMonths)
                } catch is TariffCalculator.Refused {
                    // Kept as an exception for finance, never issued: one account's data does not stop the run.
                    drafted = DraftedBill(
                        openingOn: usage.openingOn, openingValue: usage.openingValue, closingOn: period.last.description,
                        closingValue: usage.closingValue ?? usage.openingValue ?? 0, units: 0, estimated: true, trueUpUnits: nil,
                        writtenOffUnits: nil, billableFrom: nil, exception: "cannot_price", lines: [])
                }
                bills.append(
                    [
                        String(usage.accountID), drafted.openingOn, drafted.openingValue.map(String.init), drafted.closingOn,
                        String(drafted.closingValue), String(drafted.units), drafted.estimated ? "t" : "f", drafted.trueUpUnits.map(String.init),
                        String(drafted.lines.map(\.line.amount).sum().minorUnits), drafted.exception, drafted.writtenOffUnits.map(String.init),
                        drafted.billableFrom,
                    ])
                for (position, priced) in drafted.lines.enumerated() {
                    let line = priced.line
                    lines.append(
                        [
                            String(usage.accountID), String(position + 1), line.kind.rawValue, line.label, String(line.amount.minorUnits),
                            line.units.map(String.init), line.rate.map { String($0.tenThousandthsOfMinorUnit) },
                            line.percentage.map { String($0.partsPerMillion) }, line.base.map { String($0.minorUnits) },
                            line.monthly.map { String($0.minorUnits) }, line.days.map(String.init), line.periodDays.map(String.init),
                            String(line.part), String(priced.versionID),
                        ])
                }
            }
            try connection.executeScript(
                """
                CREATE TEMP TABLE draft_bills (account_id bigint, opening_on date, opening_value bigint, closing_on date, closing_value bigint,
                    units bigint, estimated boolean, true_up_units bigint, total bigint, exception text, written_off_units bigint,
                    billable_from date) ON COMMIT DROP;
                CREATE TEMP TABLE draft_lines (account_id bigint, position integer, kind text, label text, amount bigint, units bigint,
                    rate bigint, percentage bigint, base bigint, monthly bigint, days integer, period_days integer, part integer,
                    tariff_version_id bigint) ON COMMIT DROP;
                """)
            try connection.copyIn("COPY draft_bills FROM STDIN", rows: bills)
            try connection.copyIn("COPY draft_lines FROM STDIN", rows: lines)
            let stored = try connection.query(
                """
                WITH inserted AS (
                    INSERT INTO bills (bill_run_id, account_id, period, opening_on, opening_value, closing_on, closing_value, units, estimated,
                                       true_up_units, total, exception, written_off_units, billable_from)
                    SELECT $1, account_id, $2::date, opening_on, opening_value, closing_on, closing_value, units, estimated, true_up_units,
                           total, exception, written_off_units, billable_from
                    FROM draft_bills ON CONFLICT (account_id, period) WHERE replaces_bill_id IS NULL DO NOTHING
                    RETURNING id, account_id
                ), lined AS (
                    INSERT INTO bill_lines (bill_id, position, kind, label, amount, units, rate, percentage, base, monthly, days, period_days,
                                            part, tariff_version_id)
                    SELECT i.id, l.position, l.kind, l.label, l.amount, l.units, l.rate, l.percentage, l.base, l.monthly, l.days,
                           l.period_days, l.part, l.tariff_version_id
                    FROM draft_lines l JOIN inserted i ON i.account_id = l.account_id
                    RETURNING 1
                )
                SELECT count(*) AS bills FROM inserted
                """, [runID, first]
            ).rows[0].decode("bills", as: Int.self)
            return (lastAccount, stored)
        }
    }

    /// What `batch` (a query of account id, category and load, using $1 and $3 as it needs)
    /// accounts' month looks like: readings, earlier bills and usual use, one row each; $2 and $4
    /// are the month's first and last day. Credited bills do not count: a replacement, if any,
    /// stands for its month.
    static func usageQuery(batch: SQL) -> SQL {
        """
        WITH batch AS (\(batch))
        SELECT b.id, b.category, b.load,
               coalesce(prev.closing_on, start.read_on)::text AS opening_on, coalesce(prev.closing_value, start.value) AS opening_value,
               close.read_on::text AS closing_on, close.value AS closing_value, close.flag AS closing_flag,
               coalesce(actual.units, 0) AS actual_units, coalesce(est.units, 0) AS estimated_units, usual.daily_milli,
               coalesce(anchor.closing_on, est.first_opening, start.read_on)::text AS since
        FROM batch b
        LEFT JOIN LATERAL (SELECT closing_on, closing_value FROM bills p WHERE account_id = b.id AND period < $2::date
                           AND number IS NOT NULL AND NOT EXISTS (SELECT 1 FROM credit_notes cn WHERE cn.bill_id = p.id)
                           ORDER BY period DESC LIMIT 1) prev ON true
        LEFT JOIN LATERAL (SELECT closing_on FROM bills p WHERE account_id = b.id AND period < $2::date AND number IS NOT NULL
                           AND NOT estimated AND NOT EXISTS (SELECT 1 FROM credit_notes cn WHERE cn.bill_id = p.id)
                           ORDER BY period DESC LIMIT 1) anchor ON true
        LEFT JOIN LATERAL (SELECT sum(units) AS units, min(opening_on) AS first_opening FROM bills p
                           WHERE account_id = b.id AND period < $2::date AND number IS NOT NULL AND estimated
                           AND NOT EXISTS (SELECT 1 FROM credit_notes cn WHERE cn.bill_id = p.id)
                           AND closing_on > coalesce(anchor.closing_on, '-infinity'::date)) est ON true
        LEFT JOIN LATERAL (SELECT read_on, value FROM current_readings WHERE account_id = b.id AND read_on < $2::date
                           ORDER BY read_on DESC, id DESC LIMIT 1) start ON true
        -- Only a meter read by someone (or the meter itself) closes a month as actual; metering's own
        -- estimates do not.
        LEFT JOIN LATERAL (SELECT read_on, value, flag FROM current_readings
                           WHERE account_id = b.id AND read_on BETWEEN $2::date AND $4::date AND kind IN ('actual', 'final', 'correction')
                           ORDER BY read_on DESC, id DESC LIMIT 1) close ON true
        -- Use since the last actual bill; with none, since the opening of the first estimated one.
        LEFT JOIN LATERAL (SELECT sum(consumption) AS units FROM current_readings
                           WHERE account_id = b.id AND kind <> 'initial' AND read_on <= close.read_on
                             AND read_on > coalesce(anchor.closing_on, est.first_opening, start.read_on, '-infinity'::date)) actual ON true
        LEFT JOIN LATERAL (SELECT CASE WHEN max(read_on) > min(read_on) THEN
                               ((sum(consumption) - (array_agg(consumption ORDER BY read_on))[1]) * 1000 / (max(read_on) - min(read_on)))::bigint
                           END AS daily_milli
                           FROM current_readings WHERE account_id = b.id AND kind <> 'initial'
                             AND read_on >= $2::date - 365 AND read_on < $2::date) usual ON true
        ORDER BY b.id
        """
    }

    static func usage(_ row: Row) throws -> Usage {
        Usage(
            accountID: try row.decode("id"), category: try row.decode("category"), load: try row.decode("load"),
            openingOn: try row.decode("opening_on"), openingValue: try row.decode("opening_value"),
            closingOn: try row.decode("closing_on"), closingValue: try row.decode("closing_value"),
            closingFlag: try row.decode("closing_flag"), actualUnits: try row.decode("actual_units"),
            estimatedUnits: try row.decode("estimated_units"), since: try row.decode("since"),
            usualDailyMilli: try row.decode("daily_milli"))
    }

    struct DraftedBill {
        var openingOn: String?
        var openingValue: Int64?
        var closingOn: String
        var closingValue: Int64
        var units: Int64
        var estimated: Bool
        var trueUpUnits: Int64?
        /// Under-billed use older than the back-billing cap, not charged; counted from `billableFrom`.
        var writtenOffUnits: Int64?
        var billableFrom: String?
        var exception: String?
        var lines: [(line: BillLine, versionID: Int64)]
    }

    /// One account's bill: its units (read, or estimated from its usual use), then priced.
    static func bill(
        for usage: Usage, period: BillingPeriod, versions: [TariffBook.Version], fuel: FuelAdjustment?, backBillingMonths: Int
    ) throws -> DraftedBill {
        let usualMonth = usage.usualDailyMilli.map { ($0 * Int64(period.days) + 500) / 1000 }
        var bill: DraftedBill
        if let closingOn = usage.closingOn, let closingValue = usage.closingValue {
            // An actual reading: everything read since the last actual bill, less what estimates billed.
            let units = usage.actualUnits - usage.estimatedUnits
            bill = DraftedBill(
                openingOn: usage.openingOn, openingValue: usage.openingValue, closingOn: closingOn, closingValue: closingValue,
                units: max(0, units), estimated: false, trueUpUnits: usage.estimatedUnits > 0 ? usage.estimatedUnits : nil,
                writtenOffUnits: nil, billableFrom: nil, lines: [])
            Self.capBackBilling(&bill, since: usage.since, period: period, months: backBillingMonths)
            if units < 0 {
                // The estimates ran ahead of the meter: nothing to bill for energy until use catches up;
                // the bill counts as estimated so the next one still deducts them.
                bill.estimated = true
                bill.exception = "negative_use"
            } else if usage.closingFlag != nil {
                bill.exception = "suspect_reading"
            } else if units == 0 {
                bill.exception = "zero_use"
            } else if let usualMonth, usualMonth > 0, units > 3 * usualMonth {
                bill.exception = "far_above_usual"
            }
        } else {
            // No reading this month: the usual use for its days, flagged.
            let units = usualMonth ?? 0
            bill = DraftedBill(
                openingOn: usage.openingOn, openingValue: usage.openingValue, closingOn: period.last.description,
                closingValue: (usage.openingValue ?? 0) + units, units: units, estimated: true, trueUpUnits: nil, writtenOffUnits: nil,
                billableFrom: nil, exception: "no_reading", lines: [])
        }
        let parts = TariffBook.parts(of: period, versions: versions)
        let lines = try TariffCalculator.lines(
            .init(
                units: bill.units, periodDays: period.days, parts: parts.map { .init(rules: $0.version.rules, days: $0.days) },
                loadTenthsKW: usage.load, fuelAdjustment: fuel))
        bill.lines = lines.map { ($0, parts[$0.part].version.id) }
        return bill
    }

    /// Back-billing cap: when an actual reading ends a stretch that began before the cap's first
    /// month, the units are taken as used evenly over the stretch's days, and only the share of the
    /// days from that month on is billed. Over-estimates are always credited in full.
    static func capBackBilling(_ bill: inout DraftedBill, since: String?, period: BillingPeriod, months: Int) {
        var first = period
        for _ in 1..<max(1, months) { first = first.previous }
        guard bill.units > 0, let since = CalendarDay(since), let closing = CalendarDay(bill.closingOn), since < first.first else { return }
        let stretchDays = Int64(closing.ordinal - since.ordinal)
        let billableDays = Int64(closing.ordinal - first.first.ordinal + 1)
        guard stretchDays > billableDays, billableDays > 0 else { return }
        // Whole units, half up; `units` is far below where the product could overflow.
        let billable = (bill.units * billableDays + stretchDays / 2) / stretchDays
        // Rounding can leave nothing to write off: then the bill is as it was.
        guard billable < bill.units else { return }
        bill.writtenOffUnits = bill.units - billable
        bill.billableFrom = first.first.description
        bill.units = billable
    }
}
