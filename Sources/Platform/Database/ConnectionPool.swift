/// Hands out at most `capacity` connections; callers beyond that wait in line, at most
/// `waitMilliseconds`, then get `DatabaseError.Kind.busy` (a 503 page) instead of hanging. Broken
/// connections are dropped on return (or when found broken on the shelf) and replaced on demand.
public actor ConnectionPool {
    /// What a waiting caller is given: a connection, or the right to open a new one.
    public enum Lease: Sendable {
        case connection(PostgresConnection)
        case slot
    }

    public let capacity: Int
    public let waitMilliseconds: Int
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var waiters: [(deadline: ContinuousClock.Instant, continuation: CheckedContinuation<Lease, any Error>)] = []
    private var sweeper: Task<Void, Never>?
    private var closed = false

    public init(capacity: Int, waitMilliseconds: Int = 5_000) {
        precondition(capacity > 0, "a pool needs at least one connection")
        self.capacity = capacity
        self.waitMilliseconds = waitMilliseconds
    }

    public func lease() async throws -> Lease {
        guard !closed else { throw DatabaseError(kind: .connection, message: "the database pool is shut down") }
        while let connection = idle.popLast() {
            if connection.isHealthy { return .connection(connection) }
            open -= 1
        }
        if open < capacity {
            open += 1
            return .slot
        }
        let deadline = ContinuousClock.now + .milliseconds(waitMilliseconds)
        if sweeper == nil { startSweeper() }
        return try await withCheckedThrowingContinuation { waiters.append((deadline, $0)) }
    }

    /// While anyone waits, a single timer sends away those whose time is up. (A timer per waiter
    /// cost a task and a dispatch timer on every request that queued, and showed in profiles.)
    private func startSweeper() {
        let tick = Duration.milliseconds(max(1, min(50, waitMilliseconds / 10)))
        sweeper = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: tick)
                guard let self, await self.sendAwayLateWaiters() else { return }
            }
        }
    }

    /// Fails the waiters past their deadline; false when nobody is left waiting (the timer stops).
    private func sendAwayLateWaiters() -> Bool {
        let now = ContinuousClock.now
        // Waiters are in line in order of arrival, so the late ones are at the front.
        while let first = waiters.first, first.deadline <= now {
            waiters.removeFirst().continuation.resume(
                throwing: DatabaseError(kind: .busy, message: "no database connection came free within \(waitMilliseconds) ms"))
        }
        if waiters.isEmpty {
            sweeper = nil
            return false
        }
        return true
    }

    /// Takes a connection back; one that is broken or still inside a transaction is closed.
    public func giveBack(_ connection: PostgresConnection) {
        if closed || !connection.isHealthy || !connection.isIdle {
            releaseSlot()
            return
        }
        if waiters.isEmpty {
            idle.append(connection)
        } else {
            waiters.removeFirst().continuation.resume(returning: .connection(connection))
        }
    }

    /// A slot whose connection failed to open, or was closed: pass it on or free it.
    public func releaseSlot() {
        if waiters.isEmpty || closed {
            open -= 1
        } else {
            waiters.removeFirst().continuation.resume(returning: .slot)
        }
    }

    public func shutdown() {
        closed = true
        sweeper?.cancel()
        sweeper = nil
        open -= idle.count
        idle.removeAll()
        for waiter in waiters {
            waiter.continuation.resume(throwing: DatabaseError(kind: .connection, message: "the database pool is shut down"))
        }
        waiters.removeAll()
    }

    public var statistics: PoolStatistics {
        PoolStatistics(capacity: capacity, open: open, idle: idle.count, waiting: waiters.count)
    }
}

/// A snapshot of pool usage, for /metrics.
public struct PoolStatistics: Sendable, Equatable {
    public let capacity: Int
    public let open: Int
    public let idle: Int
    public let waiting: Int

    public init(capacity: Int, open: Int, idle: Int, waiting: Int) {
        self.capacity = capacity
        self.open = open
        self.idle = idle
        self.waiting = waiting
    }
    public var inUse: Int { open - idle }
}
