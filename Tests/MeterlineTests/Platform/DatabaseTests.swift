import Foundation
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("PostgreSQL through libpq")
struct DatabaseTests {
    @Test("values of every supported type go in as parameters and come back equal")
    func typedRoundTrip() async throws {
        try await withTestDatabase { db in
            let when = Date(timeIntervalSince1970: 1_795_000_000.123456)
            let id = UUID()
            let row = try await db.query(
                """
                SELECT $1::text AS text, $2::int AS int, $3::bigint AS big, $4::boolean AS yes, $5::float8 AS ratio,
                       $6::timestamptz AS at, $7::uuid AS id, $8::bytea AS bytes, $9::text AS nothing, $10::date AS day
                """,
                [
                    "Ñandú \"quoted\" 'single' ⚡", 42, Int64(9_007_199_254_740_993), true, 0.25, when, id,
                    ByteA([0, 1, 254, 255]), String?.none, "2026-10-31",
                ]
            ).rows[0]
            #expect(try row.decode("text", as: String.self) == "Ñandú \"quoted\" 'single' ⚡")
            #expect(try row.decode("int", as: Int.self) == 42)
            #expect(try row.decode("big", as: Int64.self) == 9_007_199_254_740_993)
            #expect(try row.decode("yes", as: Bool.self) == true)
            #expect(try row.decode("ratio", as: Double.self) == 0.25)
            let at = try row.decode("at", as: Date.self)
            #expect(abs(at.timeIntervalSince1970 - when.timeIntervalSince1970) < 0.000_001)
            #expect(try row.decode("id", as: UUID.self) == id)
            #expect(try row.decode("bytes", as: ByteA.self) == ByteA([0, 1, 254, 255]))
            #expect(try row.decode("nothing", as: String?.self) == nil)
            #expect(try row.decode("day", as: Date.self) == Date(timeIntervalSince1970: 1_793_404_800))
        }
    }

    @Test("a time is written for PostgreSQL in UTC to the microsecond, carrying a rounded-up second")
    func timestampText() {
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00.000000+00")
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 1_795_000_000.000042)) == "2026-11-18 11:06:40.000042+00")
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 1_795_000_000.9999997)) == "2026-11-18 11:06:41.000000+00")
    }

    @Test("in the utility's time zone, times come back with its offset and read as the same instant, days as its days")
    func localTimeZoneSessions() async throws {
        let instant = Date(timeIntervalSince1970: 1_795_000_000.25)  // 2026-11-18 11:06:40.25 UTC
        for (zone, offset, day) in [
            ("Asia/Kolkata", "+05:30", "2026-11-18"), ("America/St_Johns", "-03:30", "2026-11-18"), ("Pacific/Kiritimati", "+14", "2026-11-19"),
        ] {
            let clock = MovableClock(instant, timeZone: try #require(TimeZone(identifier: zone)))
            try await withTestDatabase(clock: clock) { db in
                let row = try await db.query("SELECT $1::timestamptz::text AS shown, $1::timestamptz::date::text AS day", [instant]).rows[0]
                let shown: String = try row.decode("shown")
                #expect(shown.hasSuffix(offset), "\(zone): \(shown)")
                #expect(PostgresTimestamp.parse(shown) == instant)
                #expect(try row.decode("day", as: String.self) == day)
                #expect(CalendarDay.today(clock) == day)
            }
        }
    }

    @Test("a NULL read as a non-optional type is a decoding error naming the column")
    func nullIntoNonOptional() async throws {
        try await withTestDatabase { db in
            let row = try await db.query("SELECT NULL::int AS missing").rows[0]
            let error = #expect(throws: DatabaseError.self) { try row.decode("missing", as: Int.self) }
            #expect(error?.kind == .decoding)
            #expect(error?.message.contains("missing") == true)
        }
    }

    @Test("SQL in a parameter is stored as text, never executed")
    func parametersAreNotSQL() async throws {
        try await withTestDatabase { db in
            try await db.query("CREATE TABLE notes (body text NOT NULL)")
            let attack = "x'); DROP TABLE notes; --"
            try await db.query("INSERT INTO notes (body) VALUES ($1)", [attack])
            let stored = try await db.query("SELECT body FROM notes").rows.map { try $0.decode("body", as: String.self) }
            #expect(stored == [attack])
        }
    }

    @Test("interpolated values are bound, LIMIT and OFFSET too: quotes and semicolons round-trip, nothing runs")
    func interpolationBinds() async throws {
        try await withTestDatabase { db in
            try await db.query("CREATE TABLE notes (id int NOT NULL, body text NOT NULL)")
            let attack = "O'Brien\"; DROP TABLE notes; -- $1 \\"
            for id in 1...5 { try await db.query("INSERT INTO notes (id, body) VALUES (\(id), \(attack))") }
            let (limit, offset) = (2, 1)
            let statement: SQL = "SELECT id, body FROM notes WHERE body = \(attack) ORDER BY id LIMIT \(limit) OFFSET \(offset)"
            #expect(statement.description.contains("LIMIT $2 OFFSET $3"))
            #expect(!statement.description.contains("O'Brien"))
            let rows = try await db.query(statement).rows
            #expect(try rows.map { try $0.decode("id", as: Int.self) } == [2, 3])
            #expect(try rows.map { try $0.decode("body", as: String.self) } == [attack, attack])
            // Hand-numbered parameters come first; interpolated ones are numbered after them.
            let mixed = try await db.query("SELECT count(*) AS n FROM notes WHERE id > $1 AND body = \(attack)", [3])
            #expect(try mixed.rows[0].decode("n", as: Int.self) == 2)
            // Fragments keep their values, and names that cannot be parameters are quoted.
            let filter: SQL = "id <= \(2)"
            let table = "notes"
            #expect(
                try await db.query("SELECT count(*) AS n FROM \(identifier: table) WHERE \(filter) AND body <> \("x")").rows[0]
                    .decode("n", as: Int.self) == 2)
        }
    }

    @Test("a transaction commits what its body did")
    func transactionCommits() async throws {
        try await withTestDatabase { db in
            try await db.query("CREATE TABLE items (name text PRIMARY KEY)")
            try await db.transaction { connection in
                try connection.execute("INSERT INTO items VALUES ($1)", ["a"])
                try connection.execute("INSERT INTO items VALUES ($1)", ["b"])
            }
            #expect(try await db.query("SELECT name FROM items").rows.count == 2)
        }
    }

    @Test("a transaction whose body throws leaves nothing behind")
    func transactionRollsBackOnThrow() async throws {
        struct Refused: Error {}
        try await withTestDatabase { db in
            try await db.query("CREATE TABLE items (name text PRIMARY KEY)")
            await #expect(throws: Refused.self) {
                try await db.transaction { connection in
                    try connection.execute("INSERT INTO items VALUES ($1)", ["half-written"])
                    throw Refused()
                }
            }
            #expect(try await db.query("SELECT name FROM items").rows.isEmpty)
            // The connection went back to the pool clean: the next statement is not inside the dead transaction.
            try await db.query("INSERT INTO items VALUES ($1)", ["after"])
            #expect(try await db.query("SELECT name FROM items").rows.count == 1)
        }
    }

    @Test("a unique violation carries SQLSTATE 23505 and the constraint, and rolls the transaction back")
    func uniqueViolationIsRecognisable() async throws {
        try await withTestDatabase { db in
            try await db.query("CREATE TABLE logins (username text CONSTRAINT logins_username_key UNIQUE)")
            try await db.query("INSERT INTO logins VALUES ('maria')")
            let error = await #expect(throws: DatabaseError.self) {
                try await db.transaction { connection in
                    try connection.execute("INSERT INTO logins VALUES ('ana')")
                    try connection.execute("INSERT INTO logins VALUES ('maria')")
                }
            }
            #expect(error?.isUniqueViolation == true)
            #expect(error?.sqlState == "23505")
            #expect(error?.constraint == "logins_username_key")
            #expect(error?.kind == .query)
            let names = try await db.query("SELECT username FROM logins ORDER BY 1").rows.map { try $0.decode(0, as: String.self) }
            #expect(names == ["maria"])
        }
    }

    @Test("check and foreign-key violations are told apart by SQLSTATE")
    func checkAndForeignKeyViolations() async throws {
        try await withTestDatabase { db in
            try await db.query("CREATE TABLE wallets (id int PRIMARY KEY, balance bigint CHECK (balance >= 0))")
            try await db.query("CREATE TABLE charges (wallet_id int REFERENCES wallets (id))")
            let check = await #expect(throws: DatabaseError.self) {
                try await db.query("INSERT INTO wallets VALUES (1, -5)")
            }
            #expect(check?.isCheckViolation == true)
            let foreignKey = await #expect(throws: DatabaseError.self) {
                try await db.query("INSERT INTO charges VALUES (99)")
            }
            #expect(foreignKey?.isForeignKeyViolation == true)
        }
    }

    @Test("a syntax error reports SQLSTATE 42601 and where in the statement it is")
    func syntaxErrorHasPosition() async throws {
        try await withTestDatabase { db in
            let error = await #expect(throws: DatabaseError.self) { try await db.query("SELECT 1 FROM FROM") }
            #expect(error?.sqlState == SQLState.syntaxError)
            #expect(error?.position == 15)
        }
    }

    @Test("COPY loads thousands of rows, with tabs, newlines, backslashes and NULLs intact")
    func copyIn() async throws {
        try await withTestDatabase { db in
            try await db.query("CREATE TABLE copy_sample (meter text NOT NULL, note text, value bigint NOT NULL)")
            let rows: [[String?]] = (0..<20_000).map { index in
                ["M-\(index)", index % 3 == 0 ? nil : "tab\there\nline\\slash \(index)", String(index * 7)]
            }
            let stored = try await db.withConnection { connection in
                try connection.copyIn("COPY copy_sample (meter, note, value) FROM STDIN", rows: rows)
            }
            #expect(stored == 20_000)
            let sample = try await db.query("SELECT meter, note, value FROM copy_sample WHERE meter IN ('M-3', 'M-4') ORDER BY meter")
            #expect(try sample.rows[0].decode("note", as: String?.self) == nil)
            #expect(try sample.rows[1].decode("note", as: String?.self) == "tab\there\nline\\slash 4")
            #expect(try sample.rows[1].decode("value", as: Int64.self) == 28)
            let total = try await db.query("SELECT count(*) AS n, sum(value) AS s FROM copy_sample").rows[0]
            #expect(try total.decode("n", as: Int.self) == 20_000)
            #expect(try total.decode("s", as: Int64.self) == (0..<20_000).reduce(0) { $0 + Int64($1) * 7 })
        }
    }

    @Test("a COPY with one bad row stores nothing")
    func copyInIsAllOrNothing() async throws {
        try await withTestDatabase { db in
            try await db.query("CREATE TABLE copy_sample (meter text NOT NULL, value bigint NOT NULL CHECK (value >= 0))")
            let rows: [[String?]] = [["A", "1"], ["B", "-2"], ["C", "3"]]
            let error = await #expect(throws: DatabaseError.self) {
                try await db.withConnection { try $0.copyIn("COPY copy_sample FROM STDIN", rows: rows) }
            }
            #expect(error?.isCheckViolation == true)
            #expect(try await db.query("SELECT * FROM copy_sample").rows.isEmpty)
            // The connection is usable again afterwards.
            #expect(try await db.query("SELECT 1 AS one").rows.count == 1)
        }
    }

    @Test("the pool never opens more connections than its size, and every waiting caller is served")
    func poolIsBounded() async throws {
        try await withTestDatabase(poolSize: 2) { db in
            let pids = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await db.query("SELECT pg_backend_pid() AS pid, pg_sleep(0.05)").rows[0].decode("pid", as: Int.self)
                    }
                }
                return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
            }
            #expect(pids.count <= 2)
            let stats = await db.statistics
            #expect(stats.open <= 2)
            #expect(stats.waiting == 0)
        }
    }

    @Test("a connection whose server process was killed is replaced, not handed out")
    func brokenConnectionIsReplaced() async throws {
        try await withTestDatabase(poolSize: 1) { db in
            let first = try await db.query("SELECT pg_backend_pid() AS pid").rows[0].decode("pid", as: Int.self)
            let killer = try PostgresConnection(conninfo: db.configuration.url)
            try killer.query("SELECT pg_terminate_backend($1)", [first])
            // Wait until the server has really ended it.
            for _ in 0..<50 {
                let alive = try killer.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [first]).rows.count
                if alive == 0 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let second = try await db.query("SELECT pg_backend_pid() AS pid").rows[0].decode("pid", as: Int.self)
            #expect(second != first)
        }
    }

    @Test("a database that cannot be reached gives a connection error, not a crash or a hang")
    func unreachableDatabase() async throws {
        let db = Database(.init(url: "host=/tmp/meterline-nowhere port=1 user=nobody dbname=none", poolSize: 2))
        let error = await #expect(throws: DatabaseError.self) { try await db.query("SELECT 1") }
        #expect(error?.kind == .connection)
        // The failed attempt gave its slot back: the pool is not leaking capacity.
        #expect(await db.statistics.open == 0)
        await db.shutdown()
    }

    @Test("rows stored in an append-only table can be neither updated nor deleted")
    func appendOnlyGuard() async throws {
        try await withTestDatabase { db in
            try await db.query("CREATE TABLE evidence (body text NOT NULL)")
            try await db.query(
                "CREATE TRIGGER evidence_append_only BEFORE UPDATE OR DELETE ON evidence FOR EACH ROW EXECUTE FUNCTION forbid_change()")
            try await db.query("INSERT INTO evidence VALUES ('reading 1200 kWh')")
            let update = await #expect(throws: DatabaseError.self) { try await db.query("UPDATE evidence SET body = 'x'") }
            #expect(update?.sqlState == SQLState.insufficientPrivilege)
            await #expect(throws: DatabaseError.self) { try await db.query("DELETE FROM evidence") }
            #expect(try await db.query("SELECT body FROM evidence").rows[0].decode("body", as: String.self) == "reading 1200 kWh")
        }
    }
}
