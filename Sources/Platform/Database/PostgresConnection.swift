import CLibPQ
import Foundation
import Logging

/// One libpq connection. Its calls block, so it is only used from the database thread pool, and
/// the pool hands it to one caller at a time (hence `@unchecked Sendable`).
public final class PostgresConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    /// Set only when debug logging is on: each statement is logged with its duration.
    private let logger: Logger?
    /// The time rules read; the pool gives each connection its database's clock.
    public let clock: any WallClock
    /// Statements already prepared on this connection, by their text. PostgreSQL plans a
    /// statement each time it is sent unprepared (measured: 3 ms of planning for a 0.3 ms query
    /// joining accounts); a prepared one keeps its plan.
    private var prepared: [String: String] = [:]
    /// Past this many, statements run unprepared (one-off texts must not grow the cache forever).
    static let preparedLimit = 1_000

    /// Connects with a `postgres://` URL or a `key=value` conninfo string. The timeouts are
    /// session settings of the connection (0: none). The session's time zone is the clock's, so
    /// `timestamptz::date` is the utility's day and times are shown in its local time.
    public init(
        conninfo: String, connectTimeoutSeconds: Int = 5, statementTimeoutMilliseconds: Int = 0, lockTimeoutMilliseconds: Int = 0,
        logger: Logger? = nil, clock: any WallClock = SystemClock()
    ) throws {
        let keys = ["dbname", "connect_timeout", "application_name", "options"]
        let options =
            "-c TimeZone=\(clock.timeZone.identifier) -c DateStyle=ISO -c statement_timeout=\(max(0, statementTimeoutMilliseconds))"
            + " -c lock_timeout=\(max(0, lockTimeoutMilliseconds))"
            // JIT compiling cost ~90 ms for each bill-run batch, and never paid back on a page.
            + " -c jit=off"
        let values = [conninfo, String(connectTimeoutSeconds), "meterline", options]
        let connection = withCStringArray(keys) { keyPointers in
            withCStringArray(values) { valuePointers in
                // expand_dbname=1: the first value may itself be a URL or conninfo; its keys win
                // over the later defaults only where the URL names them.
                PQconnectdbParams(keyPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw DatabaseError(kind: .connection, message: "out of memory while connecting")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmedMessage(PQerrorMessage(connection))
            PQfinish(connection)
            throw DatabaseError(kind: .connection, message: message)
        }
        // Server NOTICEs ("… already exists, skipping") are informational; libpq would print them to stderr.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        self.handle = connection
        self.logger = logger
        self.clock = clock
    }

    /// The clock's time as a statement fragment (`$n::timestamptz`), used instead of `now()`.
    public var now: SQL { "\(clock.now)::timestamptz" }

    deinit { PQfinish(handle) }

    /// True while the connection is usable. An idle connection has nothing to read; if the socket
    /// is readable, the server sent something unasked (it terminated the backend, or went away),
    /// so the connection is not trusted with another request.
    public var isHealthy: Bool {
        guard PQstatus(handle) == CONNECTION_OK else { return false }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    /// True when no transaction is open (nothing to roll back before reuse).
    public var isIdle: Bool { PQtransactionStatus(handle) == PQTRANS_IDLE }

    /// The server process id of this connection, as `pg_backend_pid()` reports it.
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// Runs one statement with `$1…$n` bound to `parameters` (then its interpolated values), and
    /// returns its rows.
    @discardableResult
    public func query(_ statement: SQL, _ parameters: [any SQLEncodable] = []) throws -> QueryResult {
        let (sql, parameters) = statement.bound(after: parameters)
        let texts = parameters.map(\.sqlText)
        let started = logger == nil ? nil : ContinuousClock.now
        let name = try preparedName(for: sql, parameterCount: texts.count)
        let result = withOptionalCStringArray(texts) { pointers in
            if let name {
                PQexecPrepared(handle, name, Int32(texts.count), pointers, nil, nil, 0)
            } else {
                PQexecParams(handle, sql, Int32(texts.count), nil, pointers, nil, nil, 0)
            }
        }
        if let logger, let started {
            let elapsed = ContinuousClock.now - started
            let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
            logger.debug(
                "sql",
                metadata: [
                    "sql":
                        "\(sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ").prefix(300))",
                    "ms": "\((milliseconds * 100).rounded() / 100)", "parameters": "\(texts.count)",
                ])
        }
        return try consume(result)
    }

    /// The name `sql` is prepared under on this connection, preparing it now if needed; nil when
    /// the cache is full.
    private func preparedName(for sql: String, parameterCount: Int) throws -> String? {
        if let name = prepared[sql] { return name }
        guard prepared.count < Self.preparedLimit else { return nil }
        let name = "m\(prepared.count + 1)"
        _ = try consume(PQprepare(handle, name, sql, Int32(parameterCount), nil))
        prepared[sql] = name
        return name
    }

    /// Runs one statement and returns how many rows it touched.
    @discardableResult
    public func execute(_ statement: SQL, _ parameters: [any SQLEncodable] = []) throws -> Int {
        try query(statement, parameters).affectedRows
    }

    /// Runs a script of several statements without parameters (the simple-query protocol). Only
    /// for trusted SQL that ships with the program: migrations and session settings.
    public func executeScript(_ sql: String) throws {
        try consumeAll(PQexec(handle, sql))
    }

    /// Bulk-loads rows with `COPY … FROM STDIN` in text format. `sql` must be the COPY statement;
    /// each row gives one value per column, nil for NULL. Returns the number of rows stored.
    @discardableResult
    public func copyIn(_ sql: String, rows: some Sequence<[String?]>) throws -> Int {
        try copy(sql) { send in
            var buffer = [UInt8]()
            buffer.reserveCapacity(1 << 16)
            for row in rows {
                CopyText.append(row, to: &buffer)
                if buffer.count >= 1 << 16, !send(&buffer) { return false }
            }
            return buffer.isEmpty || send(&buffer)
        }
    }

    /// As `copyIn(_:rows:)`, for rows already written in COPY's text format (one line each, fields
    /// escaped), such as a batch a peer sent.
    @discardableResult
    public func copyIn(_ sql: String, text: [UInt8]) throws -> Int {
        try copy(sql) { send in
            var buffer = text
            return buffer.isEmpty || send(&buffer)
        }
    }

    private func copy(_ sql: String, _ write: ((inout [UInt8]) -> Bool) -> Bool) throws -> Int {
        let start = PQexec(handle, sql)
        guard let start, PQresultStatus(start) == PGRES_COPY_IN else {
            try consumeAll(start)
            throw DatabaseError(kind: .query, message: "\(sql.prefix(60)) did not start a COPY FROM STDIN")
        }
        PQclear(start)
        var sendFailure = write { send(&$0) } ? nil : errorMessage
        if PQputCopyEnd(handle, sendFailure) != 1 {
            sendFailure = sendFailure ?? errorMessage
        }
        let result = try consumeAll(PQgetResult(handle))
        if let sendFailure { throw DatabaseError(kind: .connection, message: sendFailure) }
        return result
    }

    private func send(_ buffer: inout [UInt8]) -> Bool {
        let sent = buffer.withUnsafeBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
        }
        buffer.removeAll(keepingCapacity: true)
        return sent == 1
    }

    private var errorMessage: String { Self.trimmedMessage(PQerrorMessage(handle)) }

    /// Reads every result of a command (a script yields several) and throws the first error.
    @discardableResult
    private func consumeAll(_ first: OpaquePointer?) throws -> Int {
        var next = first
        var firstError: DatabaseError?
        var affected = 0
        while let result = next {
            do { affected = try consume(result).affectedRows } catch let error as DatabaseError {
                if firstError == nil { firstError = error }
            }
            next = PQgetResult(handle)
        }
        if first == nil { firstError = DatabaseError(kind: .connection, message: errorMessage) }
        if let firstError { throw firstError }
        return affected
    }

    private func consume(_ result: OpaquePointer?) throws -> QueryResult {
        guard let result else {
            throw DatabaseError(kind: .connection, message: errorMessage)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_COPY_IN, PGRES_EMPTY_QUERY:
            return QueryResult(rows: [], affectedRows: Self.affectedRows(result))
        case PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE:
            let rowCount = Int(PQntuples(result))
            let columnCount = Int(PQnfields(result))
            let names = ColumnNames(
                (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) })
            var rows = [Row]()
            rows.reserveCapacity(rowCount)
            for r in 0..<Int32(rowCount) {
                var values = [String?]()
                values.reserveCapacity(columnCount)
                for c in 0..<Int32(columnCount) {
                    if PQgetisnull(result, r, c) == 1 {
                        values.append(nil)
                    } else {
                        let length = Int(PQgetlength(result, r, c))
                        let bytes = UnsafeRawBufferPointer(start: PQgetvalue(result, r, c), count: length)
                        values.append(String(decoding: bytes, as: UTF8.self))
                    }
                }
                rows.append(Row(columns: names, values: values))
            }
            return QueryResult(rows: rows, affectedRows: rowCount)
        default:
            throw error(from: result)
        }
    }

    private func error(from result: OpaquePointer) -> DatabaseError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field("C")
        let broken = PQstatus(handle) != CONNECTION_OK
        return DatabaseError(
            kind: broken ? .connection : .query,
            sqlState: sqlState,
            message: field("M") ?? Self.trimmedMessage(PQresultErrorMessage(result)),
            detail: field("D"),
            constraint: field("n"),
            position: field("P").flatMap { Int($0) })
    }

    private static func affectedRows(_ result: OpaquePointer) -> Int {
        guard let text = PQcmdTuples(result) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    private static func trimmedMessage(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "unknown libpq error" }
        return String(cString: pointer).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Text-format COPY encoding: tab between columns, newline after a row, `\N` for NULL, and
/// backslash escapes for the characters that would break that framing.
public enum CopyText {
    public static func append(_ row: [String?], to buffer: inout [UInt8]) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(9) }
            guard let value else {
                buffer.append(contentsOf: [92, 78])
                continue
            }
            for byte in value.utf8 {
                switch byte {
                case 92: buffer.append(contentsOf: [92, 92])
                case 9: buffer.append(contentsOf: [92, 116])
                case 10: buffer.append(contentsOf: [92, 110])
                case 13: buffer.append(contentsOf: [92, 114])
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(10)
    }
}

private func withCStringArray<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    withOptionalCStringArray(strings.map { Optional($0) }) { pointers in body(pointers + [nil]) }
}

/// Gives `body` C strings for `strings` (NULL pointers for nil) that live for the call.
private func withOptionalCStringArray<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0)! } }
    defer { for copy in copies { free(copy) } }
    return body(copies.map { UnsafePointer($0) })
}
