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
    public func list(area: String?, limit: Int? = 200) async throws -> Page {
        try await arrears.bringUpToDate()
        let rows = try await database.query(
            """
            WITH listed AS (
                SELECT r.*, count(*) OVER () AS total_count, sum(balance) OVER () AS total_owed,
                       sum(aged_30) OVER () AS total_30, sum(aged_60) OVER () AS total_60, sum(aged_90) OVER () AS total_90,
                       sum(aged_older) OVER () AS total_older
                FROM arrears r WHERE $1::text IS NULL OR r.account_id IN (SELECT id FROM accounts WHERE area = $1)
            )
            -- The totals are over every defaulter, worked out before names and areas are joined.
            SELECT a.account_number, a.holder_name, a.area, l.* FROM listed l JOIN accounts a ON a.id = l.account_id
            ORDER BY l.days_overdue DESC, l.balance DESC, a.account_number
            LIMIT $2
            """, [area, limit ?? Int.max]
        ).rows
        func money(_ row: Platform.Row, _ name: String) throws -> Money {
            Money(minorUnits: try row.decode(name, as: Int64.self))
        }
        let listed = try rows.map { row in
            Row(
                accountNumber: try row.decode("account_number"), holderName: try row.decode("holder_name"), area: try row.decode("area"),
                balance: try money(row, "balance"), daysOverdue: try row.decode("days_overdue"),
                aged: [try money(row, "aged_30"), try money(row, "aged_60"), try money(row, "aged_90"), try money(row, "aged_older")])
        }
        guard let first = rows.first else { return Page(rows: [], count: 0, totalOwed: .zero, totalAged: Array(repeating: .zero, count: 4)) }
        return Page(
            rows: listed, count: try first.decode("total_count"), totalOwed: try money(first, "total_owed"),
            totalAged: [try money(first, "total_30"), try money(first, "total_60"), try money(first, "total_90"), try money(first, "total_older")])
    }

    /// The areas there are, for the filter.
    public func areas() async throws -> [String] {
        try await AccountAreas.list(in: database)
    }
}
