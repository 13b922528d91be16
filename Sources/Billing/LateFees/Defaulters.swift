import Accounts
import Platform

/// BL-6: accounts that owe money on bills past their due date, oldest debt first, with the debt
/// aged in buckets, as `Arrears` keeps them (brought up to date first). Disputed bills are left
/// out: an account owing only on them is not a defaulter.
public struct Defaulters: Sendable {
    let database: Database
    let arrears: Arrears

    public init(database: Database, clock: (any WallClock)? = nil) {
        self.database = database
        arrears = Arrears(database: database, clock: clock)
    }

    public struct Row: Sendable, Equatable {
        public let accountNumber: String
        public let holderName: String
        public let area: String
        public let balance: Money
        public let daysOverdue: Int
        /// Overdue amounts by age: 1–30, 31–60, 61–90 and over 90 days.
        public let aged: [Money]
    }

    public struct Page: Sendable, Equatable {
        public let rows: [Row]
        /// Every defaulter matching, beyond the rows listed.
        public let count: Int
        public let totalOwed: Money
        public let totalAged: [Money]
    }

    public static let buckets = ["1–30 days", "31–60 days", "61–90 days", "over 90 days"]

    /// Defaulters in `area` (every area when nil), most overdue first; `limit` nil lists all (CSV).
    /// The rows are read in the order of the index on `arrears`, so a page costs the same however
    /// many owe; the totals are over every defaulter.
    public func list(area: String?, limit: Int? = 200) async throws -> Page {
        try await arrears.bringUpToDate()
        async let totals = totalsUpToDate(area: area)
        let rows = try await database.query(
            """
            SELECT a.account_number, a.holder_name, a.area, r.balance, r.days_overdue, r.aged_30, r.aged_60, r.aged_90, r.aged_older
            FROM arrears r JOIN accounts a ON a.id = r.account_id
            WHERE $1::text IS NULL OR a.area = $1
            ORDER BY r.days_overdue DESC, r.balance DESC, a.account_number
            LIMIT $2
            """, [area, limit ?? Int.max]
        ).rows.map { row in
            Row(
                accountNumber: try row.decode("account_number"), holderName: try row.decode("holder_name"), area: try row.decode("area"),
                balance: try Self.money(row, "balance"), daysOverdue: try row.decode("days_overdue"),
                aged: try Self.aged(row))
        }
        let (count, owed, aged) = try await totals
        return Page(rows: rows, count: count, totalOwed: owed, totalAged: aged)
    }

    /// How many defaulters there are in `area` (every area when nil), what they owe, and its age.
    public func totals(area: String?) async throws -> (count: Int, owed: Money, aged: [Money]) {
        try await arrears.bringUpToDate()
        return try await totalsUpToDate(area: area)
    }

    private func totalsUpToDate(area: String?) async throws -> (count: Int, owed: Money, aged: [Money]) {
        let row = try await database.query(
            """
            SELECT count(*) AS count, coalesce(sum(balance), 0) AS balance, coalesce(sum(aged_30), 0) AS aged_30,
                   coalesce(sum(aged_60), 0) AS aged_60, coalesce(sum(aged_90), 0) AS aged_90, coalesce(sum(aged_older), 0) AS aged_older
            FROM arrears WHERE $1::text IS NULL OR account_id IN (SELECT id FROM accounts WHERE area = $1)
            """, [area]
        ).rows[0]
        return (try row.decode("count"), try Self.money(row, "balance"), try Self.aged(row))
    }

    private static func money(_ row: Platform.Row, _ name: String) throws -> Money {
        Money(minorUnits: try row.decode(name, as: Int64.self))
    }

    private static func aged(_ row: Platform.Row) throws -> [Money] {
        [try money(row, "aged_30"), try money(row, "aged_60"), try money(row, "aged_90"), try money(row, "aged_older")]
    }

    /// The areas there are, for the filter.
    public func areas() async throws -> [String] {
        try await AccountAreas.list(in: database)
    }
}
