import Platform

/// BL-6: the accounts owing on bills past their due date, with that debt by age, kept in the
/// `arrears` table for the defaulters list and the ageing report. Working it out for every account
/// takes seconds at a million accounts, so it is done for all of them once a day (ages move with
/// the day) and in between only for the accounts whose ledger or disputes changed, which triggers
/// note in `arrears_changes`. `bringUpToDate` runs before those pages read it, after a bill run, and
/// with the hourly late fees.
public struct Arrears: Sendable {
    let database: Database
    let clock: any WallClock
    /// Accounts worked out per statement (a range of ids): each stays well within the statement
    /// timeout (about 1.7 s per 100,000 at a million accounts, all of them in arrears).
    let accountsAtATime: Int64

    public init(database: Database, clock: (any WallClock)? = nil, accountsAtATime: Int64 = 100_000) {
        self.database = database
        self.clock = clock ?? database.clock
        self.accountsAtATime = accountsAtATime
    }

    public enum Work: Sendable, Equatable {
        /// Every account, for a new day.
        case all
        /// Only the accounts that changed (none, often).
        case changed(accounts: Int)
        /// Another caller is at it now: what is there is at most that moment old.
        case busy
    }

    /// Works out again what changed since the last time, or everything on a new day.
    @discardableResult
    public func bringUpToDate() async throws -> Work {
        let today = CalendarDay.today(clock)
        return try await database.transaction { connection in
            // One at a time; the others read what is there rather than wait.
            guard let state = try connection.query("SELECT worked_out_on::text AS day FROM arrears_state FOR UPDATE SKIP LOCKED").rows.first
            else { return .busy }
            if try state.decode("day", as: String?.self) != today {
                try connection.execute("DELETE FROM arrears_changes")
                try connection.execute("DELETE FROM arrears")
                try workOut(among: nil, today: today, on: connection)
                try connection.execute("UPDATE arrears_state SET worked_out_on = $1::date", [today])
                return .all
            }
            guard try connection.query("SELECT EXISTS (SELECT 1 FROM arrears_changes) AS any").rows[0].decode("any", as: Bool.self)
            else { return .changed(accounts: 0) }
            // A change committed after this statement began stays noted, for the next time.
            try connection.execute("CREATE TEMP TABLE changed (account_id bigint PRIMARY KEY) ON COMMIT DROP")
            let changed = try connection.execute(
                "WITH taken AS (DELETE FROM arrears_changes RETURNING account_id) INSERT INTO changed SELECT DISTINCT account_id FROM taken")
            guard changed > 0 else { return .changed(accounts: 0) }
            try connection.execute("DELETE FROM arrears WHERE account_id IN (SELECT account_id FROM changed)")
            try workOut(among: "SELECT account_id FROM changed", today: today, on: connection)
            return .changed(accounts: changed)
        }
    }

    /// Works out the accounts `among` selects (a query of `account_id`; every owing account when
    /// nil) a range of ids at a time, read by the bills' account index, all in the caller's one
    /// transaction.
    private func workOut(among accounts: SQL?, today: String, on connection: PostgresConnection) throws {
        let range = try connection.query(
            "SELECT min(account_id) AS low, max(account_id) AS high FROM (\(accounts ?? "SELECT account_id FROM account_balances WHERE balance > 0")) a"
        ).rows[0]
        guard let low = try range.decode("low", as: Int64?.self), let high = try range.decode("high", as: Int64?.self) else { return }
        let inRange: SQL = "b.account_id BETWEEN $2 AND $3"
        var from = low
        while from <= high {
            let to = from + accountsAtATime - 1
            try connection.execute(
                Self.workOut(accounts: accounts.map { "\(inRange) AND b.account_id IN (\($0))" } ?? inRange), [today, from, to])
            from = to + 1
        }
    }

    /// Each account's debt on bills past their due date on `$1`, by age. What is owed sits on the
    /// newest bills first, each with its late fee (`OwedBills`); a disputed bill is left out.
    private static func workOut(accounts: SQL) -> SQL {
        """
        INSERT INTO arrears (account_id, balance, days_overdue, aged_30, aged_60, aged_90, aged_older)
        WITH owed AS (
            \(OwedBills.newestFirst(accounts: accounts))
        ), unpaid AS (
            SELECT account_id, balance, least(total + late_fee, balance - newer) AS amount, $1::date - due_on AS late
            FROM owed WHERE newer < balance AND NOT disputed AND due_on < $1::date
        )
        SELECT account_id, balance, max(late),
               coalesce(sum(amount) FILTER (WHERE late <= 30), 0), coalesce(sum(amount) FILTER (WHERE late BETWEEN 31 AND 60), 0),
               coalesce(sum(amount) FILTER (WHERE late BETWEEN 61 AND 90), 0), coalesce(sum(amount) FILTER (WHERE late > 90), 0)
        FROM unpaid GROUP BY account_id, balance
        """
    }
}
