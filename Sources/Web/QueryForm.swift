import Accounts
import Foundation
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// The fields of a GET form, read from the raw query string as a browser encodes them: `+` is a
/// space, `%2B` a plus. (Hummingbird's `queryParameters` leaves `+` as it is, so "okafor mill"
/// would arrive as "okafor+mill".) Malformed escapes and NUL characters (which PostgreSQL cannot
/// store or compare) make the field absent, never an error.
public struct QueryForm: Sendable {
    private var fields: [String: String] = [:]

    public init(_ request: Request) {
        self.init(query: request.uri.query)
    }

    public init(query: String?) {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), fields[name] == nil else { continue }
            fields[name] = parts.count > 1 ? Self.decode(parts[1]) : ""
        }
    }

    public subscript(_ name: String) -> String? { fields[name] }

    static func decode(_ text: Substring) -> String? {
        guard let decoded = String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
            !decoded.contains("\u{0}")
        else { return nil }
        return decoded
    }
}
