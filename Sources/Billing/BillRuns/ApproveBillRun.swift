import Platform

/// BL-2: a second finance user agrees to a drafted run. Whoever drafted it cannot (the database
/// refuses it too); nothing is issued before this.
public struct ApproveBillRun: Sendable {
    let database: Database
    let clock: any WallClock

    public init(database: Database, clock: (any WallClock)? = nil) {
        self.database = database
        self.clock = clock ?? database.clock
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case notADraft(BillRun.Status)
        case sameUser
        case notFinance

        public var description: String {
            switch self {
            case .notADraft(let status): "Only a drafted run can be approved; this one is \(status.rawValue)."
            case .sameUser: "You drafted this run: a second finance user must approve it."
            case .notFinance: "Only finance staff approve bill runs."
            }
        }
    }

    public func run(_ runID: Int64, by userID: Int64) async throws {
        let now = clock.now
        try await database.transaction { connection in
            guard let row = try connection.query("SELECT status, created_by FROM bill_runs WHERE id = $1 FOR UPDATE", [runID]).rows.first else {
                throw NotFound("bill run")
            }
            let status: BillRun.Status = try row.decode("status")
            guard status == .draft else { throw Refused.notADraft(status) }
            guard try row.decode("created_by", as: Int64.self) != userID else { throw Refused.sameUser }
            let finance = try connection.query(
                "SELECT 1 FROM users WHERE id = $1 AND kind = 'staff' AND status = 'active' AND 'finance' = ANY (roles)", [userID]
            ).rows
            guard !finance.isEmpty else { throw Refused.notFinance }
            try connection.execute(
                "UPDATE bill_runs SET status = 'approved', approved_by = $2, approved_at = $3 WHERE id = $1", [runID, userID, now])
        }
    }
}

/// A draft that should not be issued is thrown away, with its bills (never issued, so never seen
/// by anyone); the month can then be run again. The run is marked discarded at once; its bills go
/// in batches, each its own short transaction, because a town's draft (872,931 bills and 5.6
/// million lines at a million accounts) takes minutes to delete, far past a statement timeout. If
/// that stops halfway, drafting the month again first clears what was left.
public struct DiscardBillRun: Sendable {
    let database: Database
    /// Bills deleted per transaction.
    var batch: Int

    public init(database: Database, batch: Int = 5_000) {
        self.database = database
        self.batch = batch
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case alreadyApproved(BillRun.Status)
        public var description: String {
            switch self {
            case .alreadyApproved(let status): "This run is \(status.rawValue): only a drafted run, not yet approved, can be discarded."
            }
        }
    }

    /// Discards the run and deletes its bills before returning (the CLI).
    public func run(_ runID: Int64, by userID: Int64) async throws {
        try await markDiscarded(runID, by: userID)
        try await clearBills(of: runID)
    }

    /// Marks the run discarded: from here its bills are inert, and the month may be drafted again.
    public func markDiscarded(_ runID: Int64, by userID: Int64) async throws {
        try await database.transaction { connection in
            guard let row = try connection.query("SELECT status FROM bill_runs WHERE id = $1 FOR UPDATE", [runID]).rows.first else {
                throw NotFound("bill run")
            }
            let status: BillRun.Status = try row.decode("status")
            // Not while drafting: the background work would go on filling a discarded run.
            guard status == .draft else { throw Refused.alreadyApproved(status) }
            try connection.execute(
                "UPDATE bill_runs SET status = 'discarded', discarded_by = $2, discarded_at = \(connection.now) WHERE id = $1", [runID, userID])
        }
    }

    /// Deletes the bills of a discarded run.
    public func clearBills(of runID: Int64) async throws {
        try await clear("r.id = \(runID)")
    }

    /// Deletes the bills left by discarded runs of `period` (a discard that stopped halfway).
    public func clearLeftovers(of period: BillingPeriod) async throws {
        try await clear("r.period = \(period.first.description)::date")
    }

    /// Deletes the bills of discarded runs matching `runs` (a condition on `r`, the run), a batch
    /// per transaction, lines first in one statement rather than one cascade per bill.
    private func clear(_ runs: SQL) async throws {
        let batch = batch
        while try await database.transaction({ connection in
            let ids: [Int64] = try connection.query(
                """
                SELECT b.id FROM bills b JOIN bill_runs r ON r.id = b.bill_run_id
                WHERE r.status = 'discarded' AND (\(runs)) ORDER BY b.id LIMIT \(batch)
                """
            ).rows.map { try $0.decode("id") }
            guard !ids.isEmpty else { return false }
            try connection.execute("DELETE FROM bill_lines WHERE bill_id = ANY(\(ids))")
            try connection.execute("DELETE FROM bills WHERE id = ANY(\(ids))")
            return true
        }) {}
    }
}
