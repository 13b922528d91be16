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
        let path = pattern.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            guard segment.hasPrefix(":") else { return String(segment) }
            guard let value = values.next() else { preconditionFailure("\(pattern) needs a value for \(segment)") }
            return Self.encoded(value)
        }.joined(separator: "/")
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

    private static func encoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreservedCharacters) ?? value
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
