import Accounts
import Foundation
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// One URL of the site and the audience that may enter it. The pattern names its parameters
/// `:name`; `url(...)` fills them in, so no page or controller builds a URL from strings.
public struct Endpoint<Context: RequestContext>: Sendable, Encodable, AnyEndpoint {
    public let pattern: String
    public let audience: Audience

    init(_ pattern: String, _ audience: Audience) {
        self.pattern = pattern
        self.audience = audience
    }

    /// The URL with the parameters filled in, in order, each percent-encoded as a path segment;
    /// then the query, its values encoded.
    public func url(_ values: String..., query: [(String, String)] = []) -> String {
        var values = values.makeIterator()
        var path = ""
        for (index, segment) in pattern.split(separator: "/", omittingEmptySubsequences: false).enumerated() {
            if index > 0 { path += "/" }
            guard segment.first == ":" else {
                path += segment
                continue
            }
            guard let value = values.next() else { preconditionFailure("\(pattern) needs a value for \(segment)") }
            path += Self.encoded(value)
        }
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\(Self.encoded($0.0))=\(Self.encoded($0.1))" }.joined(separator: "&")
    }

    public var parameterNames: [String] {
        pattern.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) }
    }

    /// Templates link to endpoints without parameters by name (`{{chrome.routes.login}}`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(pattern)
    }

    /// Most values (account numbers, ids) need no encoding: checked byte by byte before asking
    /// Foundation, which showed in profiles of pages that link every row.
    private static func encoded(_ value: String) -> String {
        if value.utf8.allSatisfy(isUnreserved) { return value }
        return value.addingPercentEncoding(withAllowedCharacters: unreservedCharacters) ?? value
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
        default: false
        }
    }
}

/// RFC 3986's unreserved characters: all a path segment or query value keeps as it is.
private let unreservedCharacters = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

/// An endpoint of any audience, as the access-matrix test walks them.
public protocol AnyEndpoint: Sendable {
    var pattern: String { get }
    var audience: Audience { get }
    var parameterNames: [String] { get }
}
