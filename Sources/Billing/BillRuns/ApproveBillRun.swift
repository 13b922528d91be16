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
/// by anyone); the month can then be run again.
public struct DiscardBillRun: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case alreadyApproved(BillRun.Status)
        public var description: String {
            switch self {
            case .alreadyApproved(let status): "This run is \(status.rawValue): only a drafted run, not yet approved, can be discarded."
            }
        }
    }

    public func run(_ runID: Int64, by userID: Int64) async throws {
        try await database.transaction { connection in
            guard let row = try connection.query("SELECT status FROM bill_runs WHERE id = $1 FOR UPDATE", [runID]).rows.first else {
                throw NotFound("bill run")
            }
            let status: BillRun.Status = try row.decode("status")
            // Not while drafting: the background work would go on filling a discarded run.
            guard status == .draft else { throw Refused.alreadyApproved(status) }
            try connection.execute("DELETE FROM bills WHERE bill_run_id = $1", [runID])
            try connection.execute(
                "UPDATE bill_runs SET status = 'discarded', discarded_by = $2, discarded_at = \(connection.now) WHERE id = $1", [runID, userID])
        }
    }
}
