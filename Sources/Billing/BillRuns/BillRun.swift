import Platform

/// A month's bill run (BL-2): drafted, previewed, approved by a second finance user, issued.
public struct BillRun: Sendable, Equatable {
    public enum Status: String, Sendable, SQLEncodable, SQLDecodable {
        /// Bills are being worked out; a crash leaves it here, and starting the run again resumes it.
        case drafting
        /// Every bill worked out; finance previews it.
        case draft
        /// A second finance user agreed; issuing starts.
        case approved
        /// Bills are being numbered and entered; a crash leaves it here, and issuing again resumes it.
        case issuing
        case issued
        case discarded
    }

    public let id: Int64
    public let period: BillingPeriod
    public let status: Status
    public let accountsTotal: Int
    public let accountsDone: Int
    public let createdBy: Int64
    public let createdByName: String
    public let approvedByName: String?

    static let columns: SQL = """
        r.id, to_char(r.period, 'YYYY-MM') AS period, r.status, r.accounts_total, r.accounts_done, r.created_by,
        c.full_name AS created_by_name, p.full_name AS approved_by_name
        """
    static let joins: SQL = "JOIN users c ON c.id = r.created_by LEFT JOIN users p ON p.id = r.approved_by"

    init(row: Row) throws {
        id = try row.decode("id")
        period = BillingPeriod(try row.decode("period", as: String.self))!
        status = try row.decode("status")
        accountsTotal = try row.decode("accounts_total")
        accountsDone = try row.decode("accounts_done")
        createdBy = try row.decode("created_by")
        createdByName = try row.decode("created_by_name")
        approvedByName = try row.decode("approved_by_name")
    }

    /// The run of `id`, or NotFound.
    public static func find(_ id: Int64, in database: Database) async throws -> BillRun {
        guard let row = try await database.query("SELECT \(columns) FROM bill_runs r \(joins) WHERE r.id = $1", [id]).rows.first else {
            throw NotFound("bill run")
        }
        return try BillRun(row: row)
    }

    /// The live (not discarded) run of a month, if any.
    public static func live(for period: BillingPeriod, in database: Database) async throws -> BillRun? {
        try await database.query(
            "SELECT \(columns) FROM bill_runs r \(joins) WHERE r.period = $1::date AND r.status <> 'discarded'", [period.first.description]
        ).rows.first.map(BillRun.init(row:))
    }

    /// The latest runs, newest month first.
    public static func recent(in database: Database, limit: Int = 24) async throws -> [BillRun] {
        try await database.query("SELECT \(columns) FROM bill_runs r \(joins) ORDER BY r.period DESC, r.id DESC LIMIT \(limit)").rows.map(
            BillRun.init(row:))
    }
}

/// What bill runs need to know of the deployment.
public struct BillingSettings: Sendable {
    public var currency: Currency
    /// Bill numbers are `PREFIX-YYYY-000001`, one series per prefix and year.
    public var billNumberPrefix: String
    /// Days from issue to the due date.
    public var dueDays: Int
    /// Accounts worked out, or bills issued, per transaction.
    public var batchSize: Int
    /// Batches drafted at once, each by its own connection over its share of the accounts: the
    /// database does most of the work, and it has a core each.
    public var draftWorkers: Int
    /// Use that estimates under-billed is charged for this many months back at most (the bill's
    /// own month included); the older part is written off.
    public var backBillingMonths: Int
    /// Credit notes are numbered `PREFIX-YYYY-000001` in their own series.
    public var creditNotePrefix: String

    public init(
        currency: Currency = .poundSterling, billNumberPrefix: String = "MTL", dueDays: Int = 21, batchSize: Int = 2_000,
        backBillingMonths: Int = 12, creditNotePrefix: String = "CN", draftWorkers: Int = 2
    ) {
        self.draftWorkers = max(1, draftWorkers)
        self.currency = currency
        self.billNumberPrefix = billNumberPrefix
        self.dueDays = dueDays
        self.batchSize = batchSize
        self.backBillingMonths = backBillingMonths
        self.creditNotePrefix = creditNotePrefix
    }
}
