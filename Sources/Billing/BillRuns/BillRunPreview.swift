import Platform

/// What finance looks at before approving a run (BL-2): totals by category and by area, how many
/// bills rest on estimates, and every exception with its account.
public struct BillRunPreview: Sendable {

    public struct Total: Sendable, Equatable {
        public let name: String
        public let bills: Int
        public let units: Int64
        public let amount: Money
    }

    public struct Exception: Sendable, Equatable {
        public let billID: Int64
        public let accountNumber: String
        public let holderName: String
        public let kind: String
        public let units: Int64
        public let amount: Money

        /// The exception in words finance acts on.
        public var explanation: String { Self.explanation(of: kind) }

        public static func explanation(of kind: String) -> String {
            switch kind {
            case "no_reading": "No reading this month: estimated from the usual use."
            case "suspect_reading": "The reading is flagged as suspect."
            case "zero_use": "No use on a live premise."
            case "far_above_usual": "More than three times the usual use."
            case "cannot_price": "Cannot be priced (no tariff for its category, or no sanctioned load for a per-kW tariff): not issued."
            case "negative_use": "Actual use is below what earlier estimates billed: no energy billed until it catches up."
            default: kind
            }
        }
    }

    public let run: BillRun
    public let byCategory: [Total]
    public let byArea: [Total]
    public let overall: Total
    public let estimated: Int
    /// Bills whose back-billing was capped, and the units they wrote off.
    public let cappedBills: Int
    public let writtenOffUnits: Int64
    public let exceptions: [Exception]
    /// How many bills have each kind of exception (all of them, beyond the listed ones).
    public let exceptionCounts: [(kind: String, count: Int)]

    /// The preview of a run; exceptions are listed up to `exceptionLimit`, the counts are whole.
    public static func load(_ runID: Int64, in database: Database, exceptionLimit: Int = 200) async throws -> BillRunPreview {
        let run = try await BillRun.find(runID, in: database)
        // One pass over the run's bills gives both breakdowns and the grand total.
        let rows = try await database.query(
            """
            SELECT grouping(a.category) AS rolled_category, grouping(a.area) AS rolled_area,
                   coalesce(a.category, a.area) AS name, count(*) AS bills, coalesce(sum(b.units), 0) AS units,
                   coalesce(sum(b.total), 0) AS amount, count(*) FILTER (WHERE b.estimated) AS estimated,
                   count(b.written_off_units) AS capped, coalesce(sum(b.written_off_units), 0)::bigint AS written_off
            FROM bills b JOIN accounts a ON a.id = b.account_id
            -- A month's corrected bills, issued later, are not the run's.
            WHERE b.bill_run_id = $1 AND b.replaces_bill_id IS NULL
            GROUP BY GROUPING SETS ((a.category), (a.area), ())
            ORDER BY name
            """, [runID]
        ).rows
        var byCategory: [Total] = []
        var byArea: [Total] = []
        var overall = Total(name: "All", bills: 0, units: 0, amount: .zero)
        var estimated = 0
        var capped = 0
        var writtenOff: Int64 = 0
        for row in rows {
            let rolledCategory: Int = try row.decode("rolled_category")
            let rolledArea: Int = try row.decode("rolled_area")
            let total = Total(
                name: try row.decode("name", as: String?.self) ?? "All", bills: try row.decode("bills"), units: try row.decode("units"),
                amount: Money(minorUnits: try row.decode("amount")))
            switch (rolledCategory, rolledArea) {
            case (0, _): byCategory.append(total)
            case (_, 0): byArea.append(total)
            default:
                overall = total
                estimated = try row.decode("estimated")
                capped = try row.decode("capped")
                writtenOff = try row.decode("written_off")
            }
        }
        let exceptions = try await database.query(
            """
            SELECT b.id, a.account_number, a.holder_name, b.exception, b.units, b.total FROM bills b JOIN accounts a ON a.id = b.account_id
            WHERE b.bill_run_id = $1 AND b.replaces_bill_id IS NULL AND b.exception IS NOT NULL ORDER BY b.exception, a.account_number LIMIT \(exceptionLimit)
            """, [runID]
        ).rows.map { row in
            Exception(
                billID: try row.decode("id"), accountNumber: try row.decode("account_number"), holderName: try row.decode("holder_name"),
                kind: try row.decode("exception"), units: try row.decode("units"), amount: Money(minorUnits: try row.decode("total")))
        }
        let counts = try await database.query(
            """
            SELECT exception, count(*) AS n FROM bills WHERE bill_run_id = $1 AND replaces_bill_id IS NULL AND exception IS NOT NULL
            GROUP BY exception ORDER BY exception
            """,
            [runID]
        ).rows.map { (kind: try $0.decode("exception", as: String.self), count: try $0.decode("n", as: Int.self)) }
        return BillRunPreview(
            run: run, byCategory: byCategory, byArea: byArea, overall: overall, estimated: estimated, cappedBills: capped,
            writtenOffUnits: writtenOff, exceptions: exceptions, exceptionCounts: counts)
    }
}
