/// The text of a statement, where every interpolated value becomes a bound parameter and never
/// part of the text: `"… WHERE id = \(id) LIMIT \(limit)"` sends `$1` and `$2` with the values.
/// A `String` cannot be passed where SQL is expected, so no value is spliced in by accident.
/// Statements that number their parameters by hand (`$1` with an array) still work: interpolated
/// values are numbered after those.
public struct SQL: ExpressibleByStringInterpolation, Sendable, CustomStringConvertible {
    /// Literal text and values, alternating: text, value, text … (always one more text than values).
    fileprivate var texts: [String]
    fileprivate var values: [any SQLEncodable]

    public init(stringLiteral value: String) {
        texts = [value]
        values = []
    }

    public init(stringInterpolation: Interpolation) {
        texts = stringInterpolation.texts
        values = stringInterpolation.values
    }

    public struct Interpolation: StringInterpolationProtocol {
        fileprivate var texts = [""]
        fileprivate var values: [any SQLEncodable] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) {
            texts[texts.count - 1] += literal
        }

        /// A value: bound as a parameter.
        public mutating func appendInterpolation(_ value: some SQLEncodable) {
            values.append(value)
            texts.append("")
        }

        /// A name (database, table) that cannot be a parameter: double-quoted, quotes doubled.
        public mutating func appendInterpolation(identifier name: String) {
            texts[texts.count - 1] += "\"" + name.replacing("\"", with: "\"\"") + "\""
        }

        /// Another statement's text and values, spliced in with their parameters kept.
        public mutating func appendInterpolation(_ fragment: SQL) {
            texts[texts.count - 1] += fragment.texts[0]
            for (value, text) in zip(fragment.values, fragment.texts.dropFirst()) {
                values.append(value)
                texts.append(text)
            }
        }
    }

    /// Two pieces of a statement, one after the other.
    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        var joined = lhs
        joined.texts[joined.texts.count - 1] += rhs.texts[0]
        joined.values += rhs.values
        joined.texts += rhs.texts.dropFirst()
        return joined
    }

    /// The text for the server, with interpolated values numbered after `numbered` parameters
    /// given by hand, and every parameter in order.
    public func bound(after numbered: [any SQLEncodable]) -> (text: String, parameters: [any SQLEncodable]) {
        var text = texts[0]
        for (index, next) in texts.dropFirst().enumerated() {
            text += "$\(numbered.count + index + 1)" + next
        }
        return (text, numbered + values)
    }

    public var description: String { bound(after: []).text }

    /// `text` for `LIKE $1 || '%'`: its backslashes, `%` and `_` match only themselves.
    public static func likeEscaped(_ text: String) -> String {
        text.replacing("\\", with: "\\\\").replacing("%", with: "\\%").replacing("_", with: "\\_")
    }
}
