/// One row of a result, in PostgreSQL's text format, decoded on demand into typed values.
public struct Row: Sendable {
    public let columns: ColumnNames
    public let values: [String?]

    public init(columns: ColumnNames, values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// The value of the column named `name`, as `T`; optional types accept NULL.
    public func decode<T: SQLDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let index = columns.index[name] else {
            throw DatabaseError(kind: .decoding, message: "no column named \(name) in the result")
        }
        return try decode(index, as: type)
    }

    public func decode<T: SQLDecodable>(_ index: Int, as type: T.Type = T.self) throws -> T {
        guard index >= 0, index < values.count else {
            throw DatabaseError(kind: .decoding, message: "column \(index) is out of range")
        }
        guard let value = T.fromSQL(values[index]) else {
            let shown = values[index] == nil ? "NULL" : "'\(values[index]!.prefix(40))'"
            throw DatabaseError(
                kind: .decoding, message: "column \(columns.names[index]) holds \(shown), not a \(T.self)")
        }
        return value
    }
}

/// Column names of one result, shared by all its rows.
public final class ColumnNames: Sendable {
    public let names: [String]
    public let index: [String: Int]

    public init(_ names: [String]) {
        self.names = names
        var index = [String: Int]()
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        self.index = index
    }
}

/// The rows a statement returned and, for INSERT/UPDATE/DELETE/COPY, how many rows it touched.
public struct QueryResult: Sendable {
    public let rows: [Row]
    public let affectedRows: Int

    public init(rows: [Row], affectedRows: Int) {
        self.rows = rows
        self.affectedRows = affectedRows
    }
    public var columnNames: [String] { rows.first?.columns.names ?? [] }
}
