import Accounts
import Platform

/// BL-3: the bills a consumer may see for one premise: all of them for the owner, those of the
/// lease's months for a tenant. Only issued bills; drafts are finance's.
public struct AccountBills: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Summary: Sendable, Equatable {
        public let id: Int64
        public let number: String
        public let period: BillingPeriod
        public let units: Int64
        public let total: Money
        public let dueOn: String
        public let estimated: Bool
        /// The credit note that cancelled the bill, if one did.
        public let creditNote: String?
        /// What is still to pay of it (payments settle the oldest bills first); nil where not worked
        /// out (a single bill's page) or cancelled.
        public var open: Money? = nil
        /// Under dispute: no late fee while finance looks into it.
        public var disputed = false
    }

    public struct Overview: Sendable, Equatable {
        /// What the account owes now (negative: in credit). Nil for a tenant: the balance is the owner's.
        public let balance: Money?
        public let bills: [Summary]
    }

    /// Newest first, up to two years; with the balance and what is still open of each bill, in one
    /// round trip. What the balance owes sits on the newest bills (payments settle the oldest
    /// first), so a bill is open for what the balance leaves after the bills newer than it.
    public func overview(_ grant: PremiseAccess.Grant) async throws -> Overview {
        let rows = try await database.query(
            """
            SELECT coalesce(ab.balance, 0) AS balance, b.id, b.number, to_char(b.period, 'YYYY-MM') AS period, b.units, b.total,
                   b.due_on::text AS due_on, b.estimated, b.disputed, cn.number AS credit_note,
                   CASE WHEN cn.id IS NULL THEN greatest(0, least(b.total + coalesce(f.fee, 0), coalesce(ab.balance, 0)
                       - coalesce(sum(CASE WHEN cn.id IS NULL THEN b.total + coalesce(f.fee, 0) ELSE 0 END)
                                  OVER (ORDER BY b.period DESC, b.id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))) END AS open
            FROM (VALUES (1)) AS one (x)
            LEFT JOIN account_balances ab ON ab.account_id = $1
            LEFT JOIN LATERAL (
                SELECT * FROM bills
                WHERE account_id = $1 AND number IS NOT NULL
                  AND ($2::date IS NULL OR (period + interval '1 month' - interval '1 day')::date >= $2::date)
                  AND ($3::date IS NULL OR period <= $3::date)
                ORDER BY period DESC, id DESC LIMIT 24
            ) b ON true
            LEFT JOIN credit_notes cn ON cn.bill_id = b.id
            LEFT JOIN LATERAL (SELECT sum(e.amount) AS fee FROM ledger_entries e WHERE e.bill_id = b.id AND e.kind = 'late_fee') f ON true
            ORDER BY b.period DESC, b.id DESC
            """, [grant.accountID, grant.from, grant.to]
        ).rows
        let bills = try rows.filter { try $0.decode("id", as: Int64?.self) != nil }.map { row in
            var summary = try Self.summary(row)
            // A tenant sees the bills of their months, not what the owner has paid of them.
            summary.open = grant.isOwner ? try row.decode("open", as: Int64?.self).map(Money.init(minorUnits:)) : nil
            summary.disputed = try row.decode("disputed")
            return summary
        }
        let balance = try rows.first.map { Money(minorUnits: try $0.decode("balance")) }
        return Overview(balance: grant.isOwner ? balance ?? .zero : nil, bills: bills)
    }

    public struct Latest: Sendable, Equatable {
        public let balance: Money
        public let lastBill: Money?
        public let dueOn: String?
    }

    /// For the consumer's home: each owned account's balance and its latest bill, in one query.
    public func latest(ownedAccountIDs ids: [Int64]) async throws -> [Int64: Latest] {
        guard !ids.isEmpty else { return [:] }
        var latest: [Int64: Latest] = [:]
        for row in try await database.query(
            """
            SELECT a.id, coalesce(ab.balance, 0) AS balance, lb.total, lb.due_on::text AS due_on
            FROM unnest($1::bigint[]) AS a (id)
            LEFT JOIN account_balances ab ON ab.account_id = a.id
            LEFT JOIN LATERAL (SELECT total, due_on FROM bills b WHERE account_id = a.id AND number IS NOT NULL
                                 AND NOT EXISTS (SELECT 1 FROM credit_notes cn WHERE cn.bill_id = b.id)
                               ORDER BY period DESC LIMIT 1) lb ON true
            """, [ids]
        ).rows {
            latest[try row.decode("id")] = Latest(
                balance: Money(minorUnits: try row.decode("balance")),
                lastBill: try row.decode("total", as: Int64?.self).map(Money.init(minorUnits:)),
                dueOn: try row.decode("due_on"))
        }
        return latest
    }

    public struct Detail: Sendable, Equatable {
        public let summary: Summary
        public let accountNumber: String
        public let supplyAddress: String
        public let holderName: String
        public let openingOn: String?
        public let openingValue: Int64?
        public let closingOn: String
        public let closingValue: Int64
        public let trueUpUnits: Int64?
        /// Under-billed use before `billableFrom` that the back-billing cap left uncharged.
        public let writtenOffUnits: Int64?
        public let billableFrom: String?
        public let issuedOn: String
        /// The bill this one corrects: its number, the credit note that cancelled it, and why.
        public let replaces: (number: String, creditNote: String, reason: String)?
        /// Why and when the bill was credited, if it was (its number is the summary's).
        public let creditReason: String?
        public let creditedOn: String?
        /// The account's balance before this bill: the owner's to see, nil for a tenant.
        public let balanceBefore: Money?
        /// Adjustments booked since the account's bill before (a ticket's compensation): part of
        /// `balanceBefore`, named so the owner can follow it; empty for a tenant.
        public let adjustments: [(note: String, amount: Money)]
        public let lines: [BillLine]
        /// The tariff versions the lines were priced with, by part.
        public let versions: [(part: Int, name: String, effectiveFrom: String)]
        /// The median use of premises of the same category and area that month; nil where fewer
        /// than `similarMinimum` were read (a median of a handful would tell on the neighbours).
        public let similar: Similar?
        public let previous: Summary?
        /// Same month a year before, for comparison.
        public let yearBefore: Summary?

        public static func == (lhs: Detail, rhs: Detail) -> Bool { lhs.summary == rhs.summary && lhs.lines == rhs.lines }
    }

    public struct Similar: Sendable, Equatable {
        public let category: String
        public let area: String
        public let premises: Int
        public let medianUnits: Int64
    }

    static let similarMinimum = 5

    /// One bill by its number, if the grant covers it; NotFound otherwise (another consumer's bill
    /// is as absent as one that does not exist).
    public func detail(number: String, grants: [PremiseAccess.Grant]) async throws -> (Detail, PremiseAccess.Grant) {
        guard
            let row = try await database.query(
                """
                SELECT b.id, b.number, to_char(b.period, 'YYYY-MM') AS period, b.units, b.total, b.due_on::text AS due_on, b.estimated,
                       b.account_id, a.account_number, a.supply_address, a.holder_name, b.opening_on::text AS opening_on, b.opening_value,
                       b.closing_on::text AS closing_on, b.closing_value, b.true_up_units, b.issued_at::date::text AS issued_on,
                       b.balance_before, b.written_off_units, b.billable_from::text AS billable_from,
                       cn.number AS credit_note, cn.reason AS credit_reason, cn.issued_at::date::text AS credited_on,
                       a.category, a.area, s.premises AS similar_premises, s.median_units AS similar_median,
                       r.number AS replaces_number, rn.number AS replaces_credit_note, rn.reason AS replaces_reason
                FROM bills b JOIN accounts a ON a.id = b.account_id LEFT JOIN credit_notes cn ON cn.bill_id = b.id
                LEFT JOIN bills r ON r.id = b.replaces_bill_id LEFT JOIN credit_notes rn ON rn.bill_id = r.id
                LEFT JOIN similar_use s ON s.period = b.period AND s.category = a.category AND s.area = a.area
                  AND s.premises >= \(Self.similarMinimum)
                WHERE b.number = $1
                """, [number]
            ).rows.first,
            let grant = grants.first(where: { $0.accountID == (try? row.decode("account_id", as: Int64.self)) })
        else { throw NotFound("bill") }
        let summary = try Self.summary(row)
        if let from = grant.from, summary.period.last.description < from { throw NotFound("bill") }
        if let to = grant.to, summary.period.first.description > to { throw NotFound("bill") }
        let lines = try await database.query(
            """
            SELECT l.kind, l.label, l.amount, l.units, l.rate, l.percentage, l.base, l.monthly, l.days, l.period_days, l.part,
                   t.name AS tariff, v.effective_from::text AS effective_from
            FROM bill_lines l JOIN tariff_versions v ON v.id = l.tariff_version_id JOIN tariffs t ON t.id = v.tariff_id
            WHERE l.bill_id = $1 ORDER BY l.position
            """, [summary.id]
        ).rows
        var versions: [(part: Int, name: String, effectiveFrom: String)] = []
        let billLines = try lines.map { row in
            let part: Int = try row.decode("part")
            if !versions.contains(where: { $0.part == part }) {
                versions.append((part, try row.decode("tariff"), try row.decode("effective_from")))
            }
            return BillLine(
                kind: try row.decode("kind"), label: try row.decode("label"), amount: Money(minorUnits: try row.decode("amount")),
                units: try row.decode("units"), rate: try row.decode("rate", as: Int64?.self).map(Rate.init(tenThousandthsOfMinorUnit:)),
                percentage: try row.decode("percentage", as: Int64?.self).map(Percentage.init(partsPerMillion:)),
                base: try row.decode("base", as: Int64?.self).map(Money.init(minorUnits:)),
                monthly: try row.decode("monthly", as: Int64?.self).map(Money.init(minorUnits:)), days: try row.decode("days"),
                periodDays: try row.decode("period_days"), part: part)
        }
        let around = try await database.query(
            """
            SELECT b.id, b.number, to_char(b.period, 'YYYY-MM') AS period, b.units, b.total, b.due_on::text AS due_on, b.estimated,
                   cn.number AS credit_note
            FROM bills b LEFT JOIN credit_notes cn ON cn.bill_id = b.id WHERE b.account_id = $1 AND b.number IS NOT NULL AND cn.id IS NULL
              AND b.period IN ($2::date - interval '1 month', $2::date - interval '1 year')
              AND ($3::date IS NULL OR (b.period + interval '1 month' - interval '1 day')::date >= $3::date)
              AND ($4::date IS NULL OR b.period <= $4::date)
            """, [grant.accountID, summary.period.first.description, grant.from, grant.to]
        ).rows.map(Self.summary)
        // Since the bill before this one up to this one's issue; the account's ledger index holds it.
        let adjustments =
            grant.isOwner
            ? try await database.query(
                """
                SELECT e.note, e.amount FROM ledger_entries e, bills b
                WHERE b.id = \(summary.id) AND e.account_id = b.account_id AND e.kind = 'adjustment' AND e.booked_at < b.issued_at
                  AND e.booked_at >= coalesce(
                      (SELECT max(p.issued_at) FROM bills p WHERE p.account_id = b.account_id AND p.issued_at < b.issued_at), '-infinity')
                ORDER BY e.booked_at, e.id
                """
            ).rows.map { (note: try $0.decode("note", as: String?.self) ?? "Adjustment", amount: Money(minorUnits: try $0.decode("amount"))) }
            : []
        let detail = Detail(
            summary: summary, accountNumber: try row.decode("account_number"), supplyAddress: try row.decode("supply_address"),
            holderName: try row.decode("holder_name"), openingOn: try row.decode("opening_on"), openingValue: try row.decode("opening_value"),
            closingOn: try row.decode("closing_on"), closingValue: try row.decode("closing_value"), trueUpUnits: try row.decode("true_up_units"),
            writtenOffUnits: try row.decode("written_off_units"), billableFrom: try row.decode("billable_from"),
            issuedOn: try row.decode("issued_on"),
            replaces: try row.decode("replaces_number", as: String?.self).map {
                ($0, try row.decode("replaces_credit_note"), try row.decode("replaces_reason"))
            },
            creditReason: try row.decode("credit_reason"), creditedOn: try row.decode("credited_on"),
            balanceBefore: grant.isOwner ? Money(minorUnits: try row.decode("balance_before")) : nil, adjustments: adjustments,
            lines: billLines,
            versions: versions,
            similar: try row.decode("similar_median", as: Int64?.self).map {
                Similar(
                    category: try row.decode("category"), area: try row.decode("area"), premises: try row.decode("similar_premises"),
                    medianUnits: $0)
            }, previous: around.first { $0.period == summary.period.previous },
            yearBefore: around.first { $0.period.year == summary.period.year - 1 })
        return (detail, grant)
    }

    /// One bill by its number, for finance: as its account's owner sees it.
    public func detail(number: String) async throws -> Detail {
        guard
            let row = try await database.query(
                "SELECT a.id, a.account_number, a.supply_address FROM bills b JOIN accounts a ON a.id = b.account_id WHERE b.number = $1",
                [number]
            ).rows.first
        else { throw NotFound("bill") }
        let owner = PremiseAccess.Grant(
            accountID: try row.decode("id"), accountNumber: try row.decode("account_number"), supplyAddress: try row.decode("supply_address"),
            isOwner: true, from: nil, to: nil)
        return try await detail(number: number, grants: [owner]).0
    }

    static func summary(_ row: Row) throws -> Summary {
        Summary(
            id: try row.decode("id"), number: try row.decode("number"), period: BillingPeriod(try row.decode("period", as: String.self))!,
            units: try row.decode("units"), total: Money(minorUnits: try row.decode("total")), dueOn: try row.decode("due_on"),
            estimated: try row.decode("estimated"), creditNote: try row.decode("credit_note"))
    }
}
