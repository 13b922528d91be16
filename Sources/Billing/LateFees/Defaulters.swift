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
            WITH owed AS (
                SELECT a.id, a.account_number, a.holder_name, a.area, ab.balance
                FROM account_balances ab JOIN accounts a ON a.id = ab.account_id
                WHERE ab.balance > 0 AND ($1::text IS NULL OR a.area = $1)
            ), bills_newest_first AS (
                -- What is owed sits on the newest bills, each with its late fee: the rule of OpenBills.
                SELECT o.id AS account_id, o.balance, b.due_on, b.disputed, b.total + coalesce(f.fee, 0) AS total,
                       coalesce(sum(b.total + coalesce(f.fee, 0)) OVER (PARTITION BY o.id ORDER BY b.period DESC, b.id DESC
                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS newer
                FROM owed o JOIN bills b ON b.account_id = o.id AND b.number IS NOT NULL
                LEFT JOIN LATERAL (SELECT sum(e.amount) AS fee FROM ledger_entries e WHERE e.bill_id = b.id AND e.kind = 'late_fee') f ON true
                WHERE NOT EXISTS (SELECT 1 FROM credit_notes cn WHERE cn.bill_id = b.id)
            ), unpaid AS (
                SELECT account_id, least(total, balance - newer) AS amount, $2::date - due_on AS late
                FROM bills_newest_first WHERE newer < balance AND NOT disputed AND due_on < $2::date
            ), defaulters AS (
                SELECT o.account_number, o.holder_name, o.area, o.balance, max(u.late) AS days_overdue,
                       coalesce(sum(u.amount) FILTER (WHERE u.late <= 30), 0) AS aged_30,
                       coalesce(sum(u.amount) FILTER (WHERE u.late BETWEEN 31 AND 60), 0) AS aged_60,
                       coalesce(sum(u.amount) FILTER (WHERE u.late BETWEEN 61 AND 90), 0) AS aged_90,
                       coalesce(sum(u.amount) FILTER (WHERE u.late > 90), 0) AS aged_older
                FROM owed o JOIN unpaid u ON u.account_id = o.id
                GROUP BY o.account_number, o.holder_name, o.area, o.balance
            )
            SELECT d.*, count(*) OVER () AS total_count, sum(balance) OVER () AS total_owed,
                   sum(aged_30) OVER () AS total_30, sum(aged_60) OVER () AS total_60, sum(aged_90) OVER () AS total_90,
                   sum(aged_older) OVER () AS total_older
            FROM defaulters d ORDER BY days_overdue DESC, balance DESC, account_number
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
        try await database.query("SELECT DISTINCT area FROM accounts ORDER BY area").rows.map { try $0.decode("area") }
    }
}
