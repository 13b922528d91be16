import Foundation

/// What the portal asks of a meter (BR-3), sealed in a `CommandEnvelope` so only that meter reads
/// it: load a prepaid token, open or close the supply relay, report its health now.
public enum MeterCommand: Sendable, Equatable, Codable {
    /// A 20-digit STS token (BL-8).
    case loadToken(String)
    case relay(on: Bool)
    case diagnostics

    enum CodingKeys: String, CodingKey {
        case kind = "k"
        case token = "t"
        case on
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "token": self = .loadToken(try container.decode(String.self, forKey: .token))
        case "relay": self = .relay(on: try container.decode(Bool.self, forKey: .on))
        case "diagnostics": self = .diagnostics
        case let other: throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "no command \(other)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .loadToken(let token):
            try container.encode("token", forKey: .kind)
            try container.encode(token, forKey: .token)
        case .relay(let on):
            try container.encode("relay", forKey: .kind)
            try container.encode(on, forKey: .on)
        case .diagnostics:
            try container.encode("diagnostics", forKey: .kind)
        }
    }
}
