/// Hands out at most `capacity` connections; callers beyond that wait in line. Broken connections
/// are dropped on return (or when found broken on the shelf) and replaced on demand.
actor ConnectionPool {
    /// What a waiting caller is given: a connection, or the right to open a new one.
    enum Lease: Sendable {
        case connection(PostgresConnection)
        case slot
    }

    let capacity: Int
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var waiters: [CheckedContinuation<Lease, any Error>] = []
    private var closed = false

    init(capacity: Int) {
        precondition(capacity > 0, "a pool needs at least one connection")
        self.capacity = capacity
    }

    func lease() async throws -> Lease {
        guard !closed else { throw DatabaseError(kind: .connection, message: "the database pool is shut down") }
        while let connection = idle.popLast() {
            if connection.isHealthy { return .connection(connection) }
            open -= 1
        }
        if open < capacity {
            open += 1
            return .slot
        }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    /// Takes a connection back; one that is broken or still inside a transaction is closed.
    func giveBack(_ connection: PostgresConnection) {
        if closed || !connection.isHealthy || !connection.isIdle {
            releaseSlot()
            return
        }
        if waiters.isEmpty {
            idle.append(connection)
        } else {
            waiters.removeFirst().resume(returning: .connection(connection))
        }
    }

    /// A slot whose connection failed to open, or was closed: pass it on or free it.
    func releaseSlot() {
        if waiters.isEmpty || closed {
            open -= 1
        } else {
            waiters.removeFirst().resume(returning: .slot)
        }
    }

    func shutdown() {
        closed = true
        open -= idle.count
        idle.removeAll()
        for waiter in waiters {
            waiter.resume(throwing: DatabaseError(kind: .connection, message: "the database pool is shut down"))
        }
        waiters.removeAll()
    }

    var statistics: PoolStatistics {
        PoolStatistics(capacity: capacity, open: open, idle: idle.count, waiting: waiters.count)
    }
}

/// A snapshot of pool usage, for /metrics.
public struct PoolStatistics: Sendable, Equatable {
    public let capacity: Int
    public let open: Int
    public let idle: Int
    public let waiting: Int
    public var inUse: Int { open - idle }
}
