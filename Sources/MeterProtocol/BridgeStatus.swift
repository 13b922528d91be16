/// What a bridge reports to the portal every few seconds (the ops page shows it), and answers on
/// its own `GET /status`.
public struct BridgeStatus: Sendable, Codable, Equatable {
    /// The bridge's name, unique among the bridges of one portal.
    public var name: String
    /// Where the portal reaches this bridge (`POST /read-all`, `POST /commands`).
    public var url: String?
    /// Seconds since 1970 when this bridge started.
    public var startedAt: Int64
    public var connected: Int
    public var verified: Int64
    /// Refused frames and handshakes by kind (`MessageVerifier.Refusal.name`).
    public var refused: [String: Int64]
    /// Spool segments not yet stored by the portal.
    public var backlog: Int

    public init(name: String, url: String?, startedAt: Int64, connected: Int, verified: Int64, refused: [String: Int64], backlog: Int) {
        self.name = name
        self.url = url
        self.startedAt = startedAt
        self.connected = connected
        self.verified = verified
        self.refused = refused
        self.backlog = backlog
    }
}

/// The answer to `POST /read-all` (BR-2): how many meters were asked, which answered in time and
/// which did not. The readings themselves reach the portal the usual way, through the spool.
public struct ReadAllResult: Sendable, Codable, Equatable {
    public var round: String
    public var asked: Int
    public var answered: Int
    /// Serials of the meters that did not answer before the deadline.
    public var missing: [String]
    public var milliseconds: Int
    /// For each meter that answered, the sequence of the reading that answered, so the portal can
    /// wait for exactly those readings to be stored. Absent from a bridge older than this field.
    public var answers: [String: UInt64]

    public init(round: String, asked: Int, answered: Int, missing: [String], milliseconds: Int, answers: [String: UInt64] = [:]) {
        self.round = round
        self.asked = asked
        self.answered = answered
        self.missing = missing
        self.milliseconds = milliseconds
        self.answers = answers
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        round = try container.decode(String.self, forKey: .round)
        asked = try container.decode(Int.self, forKey: .asked)
        answered = try container.decode(Int.self, forKey: .answered)
        missing = try container.decode([String].self, forKey: .missing)
        milliseconds = try container.decode(Int.self, forKey: .milliseconds)
        answers = try container.decodeIfPresent([String: UInt64].self, forKey: .answers) ?? [:]
    }
}

/// What the portal posts to `POST /read-all`.
public struct ReadAllRequest: Sendable, Codable, Equatable {
    public var round: String
    public var deadlineMilliseconds: Int

    public init(round: String, deadlineMilliseconds: Int) {
        self.round = round
        self.deadlineMilliseconds = deadlineMilliseconds
    }
}
