import Accounts
import Platform

/// BL-6: accounts that owe money on bills past their due date, oldest debt first, with the debt
/// aged in buckets. What is owed is matched to the newest bills first (payments settle the oldest
/// open bills first, BL-5), so the unpaid part of each bill is known without a table of
/// allocations. Disputed bills are left out: an account owing only on them is not a defaulter.
public struct Defaulters: Sendable {
    let database: Database
    let clock: any WallClock

    public init(database: Database, clock: (any WallClock)? = nil) {
        self.database = database
        self.clock = clock ?? database.clock
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
        let rows = try await database.query(
            """
            WITH bills_newest_first AS (
                -- What is owed sits on the newest bills, each with its late fee (one at most): the rule of OpenBills.
                SELECT ab.account_id, ab.balance, b.due_on, b.disputed, b.total + coalesce(f.amount, 0) AS total,
                       coalesce(sum(b.total + coalesce(f.amount, 0)) OVER (PARTITION BY b.account_id ORDER BY b.period DESC, b.id DESC
                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS newer
                FROM account_balances ab JOIN bills b ON b.account_id = ab.account_id AND b.number IS NOT NULL
                LEFT JOIN ledger_entries f ON f.bill_id = b.id AND f.kind = 'late_fee'
                LEFT JOIN credit_notes cn ON cn.bill_id = b.id
                WHERE ab.balance > 0 AND cn.id IS NULL
                  AND ($1::text IS NULL OR b.account_id IN (SELECT id FROM accounts WHERE area = $1))
            ), unpaid AS (
                SELECT account_id, balance, least(total, balance - newer) AS amount, $2::date - due_on AS late
                FROM bills_newest_first WHERE newer < balance AND NOT disputed AND due_on < $2::date
            ), defaulters AS (
                SELECT account_id, balance, max(late) AS days_overdue,
                       coalesce(sum(amount) FILTER (WHERE late <= 30), 0) AS aged_30,
                       coalesce(sum(amount) FILTER (WHERE late BETWEEN 31 AND 60), 0) AS aged_60,
                       coalesce(sum(amount) FILTER (WHERE late BETWEEN 61 AND 90), 0) AS aged_90,
                       coalesce(sum(amount) FILTER (WHERE late > 90), 0) AS aged_older
                FROM unpaid GROUP BY account_id, balance
            ), ranked AS (
                SELECT d.*, count(*) OVER () AS total_count, sum(balance) OVER () AS total_owed,
                       sum(aged_30) OVER () AS total_30, sum(aged_60) OVER () AS total_60, sum(aged_90) OVER () AS total_90,
                       sum(aged_older) OVER () AS total_older
                FROM defaulters d
            )
            -- The totals are over every defaulter, worked out before names and areas are joined.
            SELECT a.account_number, a.holder_name, a.area, r.* FROM ranked r JOIN accounts a ON a.id = r.account_id
            ORDER BY r.days_overdue DESC, r.balance DESC, a.account_number
            LIMIT $3
            """, [area, CalendarDay.today(clock), limit ?? Int.max]
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
