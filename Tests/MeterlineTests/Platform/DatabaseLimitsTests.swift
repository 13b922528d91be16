import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("Database limits and retries")
struct DatabaseLimitsTests {
    /// A second pool on the test database, with its own size and limits.
    func withPool<T>(
        size: Int, _ limits: Database.Limits, _ body: (Database, Database) async throws -> T
    ) async throws -> T {
        try await withTestDatabase { db in
            let pool = Database(.init(url: db.configuration.url, poolSize: size, limits: limits))
            defer { Task { await pool.shutdown() } }
            return try await body(db, pool)
        }
    }

    @Test("a statement past its timeout ends with a clear error, and its connection serves the next caller")
    func statementTimeout() async throws {
        try await withPool(size: 1, .init(statementTimeoutMilliseconds: 100)) { _, pool in
            let before = try await pool.withConnection { $0.backendPID }
            do {
                try await pool.query("SELECT pg_sleep(2)")
                Issue.record("the statement should have been stopped")
            } catch let error as DatabaseError {
                #expect(error.isTimeout)
                #expect(error.message.contains("statement timeout"))
            }
            #expect(try await pool.query("SELECT 41 + 1 AS n").rows[0].decode("n", as: Int.self) == 42)
            #expect(try await pool.withConnection { $0.backendPID } == before)
        }
    }

    @Test("a transaction waiting for a lock gives up after the lock timeout")
    func lockTimeout() async throws {
        try await withPool(size: 2, .init(lockTimeoutMilliseconds: 100)) { db, pool in
            try await db.query("CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL)")
            try await db.query("INSERT INTO counters VALUES (1, 0)")
            let holding = Task {
                try await pool.transaction { connection in
                    try connection.execute("UPDATE counters SET n = n + 1 WHERE id = 1")
                    try connection.execute("SELECT pg_sleep(1)")
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            await #expect(throws: DatabaseError.self) {
                try await pool.transaction { try $0.execute("UPDATE counters SET n = n + 10 WHERE id = 1") }
            }
            try await holding.value
            #expect(try await db.query("SELECT n FROM counters").rows[0].decode("n", as: Int.self) == 1)
        }
    }

    @Test("when every connection stays busy, a waiting caller gets a busy error within the configured wait")
    func poolExhaustion() async throws {
        try await withPool(size: 1, .init(poolWaitMilliseconds: 200)) { _, pool in
            // The holder keeps its connection far longer than the wait, so that even on a busy
            // machine a caller served only when it is back cannot pass for one refused in time.
            let holding = Task { try await pool.query("SELECT pg_sleep(5)") }
            try await Task.sleep(for: .milliseconds(200))
            let started = ContinuousClock.now
            do {
                try await pool.query("SELECT 1")
                Issue.record("the caller should not have been served")
            } catch let error as DatabaseError {
                #expect(error.kind == .busy)
            }
            #expect(ContinuousClock.now - started < .seconds(4))
            try await holding.value
            #expect(try await pool.query("SELECT 1 AS n").rows.count == 1, "the pool serves again once the connection is back")
        }
    }

    @Test("a page that cannot get a connection in time is a 503 that says to try again")
    func busyPage() async throws {
        try await withPool(size: 1, .init(poolWaitMilliseconds: 200)) { db, pool in
            let services = try await TestApp.services(database: pool)
            let app = TestApp.application(services: services) { router in
                router.get("/slow") { _, _ in
                    try await pool.query("SELECT pg_sleep(1.5)")
                    return "done"
                }
                router.get("/quick") { _, _ in
                    try await pool.query("SELECT 1")
                    return "done"
                }
            }
            try await app.test(.router) { client in
                async let slow = client.execute(uri: "/slow", method: .get)
                try await Task.sleep(for: .milliseconds(300))
                let quick = try await client.execute(uri: "/quick", method: .get)
                #expect(quick.status == .serviceUnavailable)
                #expect(quick.text.contains("try again"))
                #expect(quick.headers[.retryAfter] != nil)
                #expect(try await slow.status == .ok)
            }
            await services.shutdown()
        }
    }

    @Test("two serializable transactions that conflict both succeed: the one PostgreSQL stops is run again")
    func serializationRetry() async throws {
        try await withPool(size: 2, .init()) { db, pool in
            try await db.query("CREATE TABLE shifts (doctor text NOT NULL, on_call boolean NOT NULL)")
            try await db.query("INSERT INTO shifts VALUES ('a', true), ('b', true)")
            let attempts = Atomic<Int>(0)
            let read = Atomic<Int>(0)
            // Each takes one doctor off call if another stays on: the classic write skew. The first
            // two attempts wait until both have read, so that they overlap however busy the machine.
            let goOffCall: @Sendable (String) async throws -> Void = { doctor in
                try await pool.transaction(isolation: .serializable) { connection in
                    let attempt = attempts.add(1, ordering: .relaxed).newValue
                    let onCall = try connection.query("SELECT count(*) AS n FROM shifts WHERE on_call").rows[0].decode("n", as: Int.self)
                    if attempt <= 2 {
                        read.add(1, ordering: .relaxed)
                        for _ in 0..<200 where read.load(ordering: .relaxed) < 2 { try connection.execute("SELECT pg_sleep(0.05)") }
                    }
                    if onCall > 1 { try connection.execute("UPDATE shifts SET on_call = false WHERE doctor = $1", [doctor]) }
                }
            }
            let a = Task { try await goOffCall("a") }
            let b = Task { try await goOffCall("b") }
            try await a.value
            try await b.value
            #expect(attempts.load(ordering: .relaxed) >= 3, "one transaction ran again")
            #expect(try await db.query("SELECT count(*) AS n FROM shifts WHERE on_call").rows[0].decode("n", as: Int.self) == 1)
        }
    }
}
