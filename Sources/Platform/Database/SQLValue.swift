import Foundation

/// A Swift value that can be bound to a `$n` parameter. Everything travels in PostgreSQL's text
/// format and the server infers the type from the statement, so no SQL is ever built from values.
public protocol SQLEncodable: Sendable {
    /// The text form, or nil for SQL NULL.
    var sqlText: String? { get }
}

/// A list of ids bound as one `$n::bigint[]` parameter (`= ANY ($n::bigint[])`, `unnest`).
extension Array: SQLEncodable where Element == Int64 {
    public var sqlText: String? { "{" + map(String.init).joined(separator: ",") + "}" }
}

/// A list of texts bound as one `$n::text[]` parameter. Each element is quoted, with `"` and `\`
/// escaped, so any text (commas, braces, NULL spelled out) arrives as itself.
public struct TextList: SQLEncodable {
    public let values: [String]

    public init(_ values: [String]) {
        self.values = values
    }

    public var sqlText: String? {
        "{" + values.map { "\"" + $0.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }
}

/// A Swift type a column can be decoded into.
public protocol SQLDecodable {
    /// nil when `text` cannot be read as this type (or is NULL for a non-optional type).
    static func fromSQL(_ text: String?) -> Self?
}

extension String: SQLEncodable, SQLDecodable {
    public var sqlText: String? { self }
    public static func fromSQL(_ text: String?) -> String? { text }
}

extension Int: SQLEncodable, SQLDecodable {
    public var sqlText: String? { String(self) }
    public static func fromSQL(_ text: String?) -> Int? { text.flatMap { Int($0) } }
}

extension Int64: SQLEncodable, SQLDecodable {
    public var sqlText: String? { String(self) }
    public static func fromSQL(_ text: String?) -> Int64? { text.flatMap { Int64($0) } }
}

extension Int32: SQLEncodable, SQLDecodable {
    public var sqlText: String? { String(self) }
    public static func fromSQL(_ text: String?) -> Int32? { text.flatMap { Int32($0) } }
}

extension Bool: SQLEncodable, SQLDecodable {
    public var sqlText: String? { self ? "true" : "false" }
    public static func fromSQL(_ text: String?) -> Bool? {
        switch text {
        case "t", "true": true
        case "f", "false": false
        default: nil
        }
    }
}

/// For measurements and ratios only: money is `Money` (integer minor units), never Double.
extension Double: SQLEncodable, SQLDecodable {
    public var sqlText: String? { String(self) }
    public static func fromSQL(_ text: String?) -> Double? { text.flatMap { Double($0) } }
}

extension UUID: SQLEncodable, SQLDecodable {
    public var sqlText: String? { uuidString.lowercased() }
    public static func fromSQL(_ text: String?) -> UUID? { text.flatMap { UUID(uuidString: $0) } }
}

extension Date: SQLEncodable, SQLDecodable {
    public var sqlText: String? { PostgresTimestamp.format(self) }
    public static func fromSQL(_ text: String?) -> Date? { text.flatMap { PostgresTimestamp.parse($0) } }
}

/// `bytea`, sent and received in PostgreSQL's hex format (`\x0a1b…`).
public struct ByteA: SQLEncodable, SQLDecodable, Equatable, Sendable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var sqlText: String? { "\\x" + Hex.encode(bytes) }
    public static func fromSQL(_ text: String?) -> ByteA? {
        guard let text, text.hasPrefix("\\x"), let bytes = Hex.decode(text.dropFirst(2)) else { return nil }
        return ByteA(bytes)
    }
}

extension Optional: SQLEncodable where Wrapped: SQLEncodable {
    public var sqlText: String? { self?.sqlText }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    public static func fromSQL(_ text: String?) -> Wrapped?? {
        guard let text else { return .some(nil) }
        return Wrapped.fromSQL(text).map { .some($0) }
    }
}

/// Status columns are text under a CHECK; their Swift side is an enum over the same values.
extension SQLDecodable where Self: RawRepresentable, RawValue == String {
    public static func fromSQL(_ text: String?) -> Self? { text.flatMap { Self(rawValue: $0) } }
}

extension SQLEncodable where Self: RawRepresentable, RawValue == String {
    public var sqlText: String? { rawValue }
}
