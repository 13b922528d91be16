import Platform

/// BL-9: what finance reports on, each total taken from the ledger or the issued bills so that
/// they reconcile: billed against collected by month, arrears by age, and use and revenue by
/// category and area for a month. The totals are the ones the ledger's trigger keeps as entries
/// are written (`ledger_month_totals`, `bill_period_totals`), so a report reads a few hundred rows
/// however many accounts there are; `verify-ledger` checks them against the entries.
public struct FinanceReports: Sendable {
    let database: Database
    let clock: any WallClock

    public init(database: Database, clock: (any WallClock)? = nil) {
        self.database = database
        self.clock = clock ?? database.clock
    }

    public struct MonthLine: Sendable, Equatable {
        public let period: BillingPeriod
        public let bills: Int
        /// Issued bills of the month (their ledger entries).
        public let billed: Money
        /// Credit notes against the month's bills, as a positive amount (billed less credited is
        /// what stands); `bills` counts the bills that stand.
        public let credited: Money
        /// Late fees booked in the month.
        public let lateFees: Money
        /// Payments booked in the month, as a positive amount (BL-5 brings them).
        public let collected: Money
        /// Prepaid energy sold in the month (BL-8): each purchase's token sale, paid by the
        /// payment counted in `collected`.
        public let prepaidSold: Money
    }

    /// The last `months` months, newest first.
    public func billedAndCollected(months: Int = 12) async throws -> [MonthLine] {
        let current = BillingPeriod.current(clock)
        var first = current
        for _ in 1..<months { first = first.previous }
        return try await database.query(
            """
            WITH months AS (SELECT generate_series($1::date, $2::date, interval '1 month')::date AS month),
            -- A month's bills: every one issued (a corrected month has the cancelled bill and its
            -- replacement), the credit notes against them, and how many stand.
            billed AS (
                SELECT period AS month, sum(bills - credited_bills) AS bills, sum(billed) AS amount, sum(credited) AS credited
                FROM bill_period_totals WHERE period BETWEEN $1::date AND $2::date GROUP BY period
            ), booked AS (
                SELECT month,
                       sum(amount) FILTER (WHERE kind = 'late_fee') AS late_fees,
                       -sum(amount) FILTER (WHERE kind = 'payment' OR (kind = 'reversal' AND of_payment)) AS collected,
                       sum(amount) FILTER (WHERE kind = 'token_sale') AS prepaid_sold
                FROM ledger_month_totals WHERE month >= $1::date AND kind IN ('late_fee', 'payment', 'reversal', 'token_sale') GROUP BY 1
            )
            SELECT to_char(m.month, 'YYYY-MM') AS period, coalesce(b.bills, 0) AS bills, coalesce(b.amount, 0) AS billed,
                   coalesce(b.credited, 0) AS credited, coalesce(k.late_fees, 0) AS late_fees, coalesce(k.collected, 0) AS collected,
                   coalesce(k.prepaid_sold, 0) AS prepaid_sold
            FROM months m LEFT JOIN billed b ON b.month = m.month LEFT JOIN booked k ON k.month = m.month
            ORDER BY m.month DESC
            """, [first.first.description, current.first.description]
        ).rows.map { row in
            MonthLine(
                period: BillingPeriod(try row.decode("period", as: String.self))!, bills: try row.decode("bills"),
                billed: Money(minorUnits: try row.decode("billed")), credited: Money(minorUnits: try row.decode("credited")),
                lateFees: Money(minorUnits: try row.decode("late_fees")),
                collected: Money(minorUnits: try row.decode("collected")), prepaidSold: Money(minorUnits: try row.decode("prepaid_sold")))
        }
    }

    /// Arrears by age: what is owed and not yet due, then the overdue buckets of `Defaulters`;
    /// together, every owing balance.
    public func arrearsByAge() async throws -> [(age: String, amount: Money)] {
        async let owed = database.query("SELECT coalesce(sum(balance), 0) AS owed FROM account_balances WHERE balance > 0").rows[0]
            .decode("owed", as: Int64.self)
        async let totals = Defaulters(database: database, clock: clock).totals(area: nil)
        let aged = try await totals.aged
        return Array(zip(["not yet due"] + Defaulters.buckets, [Money(minorUnits: try await owed) - aged.sum()] + aged))
    }

    public struct UsageLine: Sendable, Equatable {
        public let name: String
        public let accounts: Int
        public let units: Int64
        public let revenue: Money
    }

    /// Use and revenue of a month's issued bills that stand (not credited), by category and by area.
    public func usage(in period: BillingPeriod) async throws -> (byCategory: [UsageLine], byArea: [UsageLine]) {
        let rows = try await database.query(
            """
            SELECT grouping(category) AS rolled_category, coalesce(category, area) AS name, sum(bills - credited_bills) AS accounts,
                   sum(units) AS units, sum(billed - credited) AS revenue
            FROM bill_period_totals WHERE period = $1::date
            GROUP BY GROUPING SETS ((category), (area)) HAVING sum(bills - credited_bills) > 0 ORDER BY 1, 2
            """, [period.first.description]
        ).rows
        var byCategory: [UsageLine] = []
        var byArea: [UsageLine] = []
        for row in rows {
            let line = UsageLine(
                name: try row.decode("name"), accounts: try row.decode("accounts"), units: try row.decode("units"),
                revenue: Money(minorUnits: try row.decode("revenue")))
            if try row.decode("rolled_category", as: Int.self) == 0 { byCategory.append(line) } else { byArea.append(line) }
        }
        return (byCategory, byArea)
    }
}
