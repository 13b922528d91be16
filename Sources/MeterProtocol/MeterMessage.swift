import Foundation

/// What meters, the bridge and the portal say to each other (BR-1), as compact JSON with short
/// keys. Every message names its meter, a sequence number that only goes up (so a replay is
/// refused), and the meter's time.
public struct MeterMessage: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// The cumulative register, in watt-hours.
        case reading
        /// Supply voltage, signal, relay and tamper switch.
        case health
        /// From the portal: an ECIES envelope (`CommandEnvelope`) the meter opens with its key.
        case command
        /// The meter's (or the bridge's) receipt of the message with sequence `acknowledges`.
        case ack
    }

    public enum Relay: String, Sendable, Codable {
        case on, off
    }

    public var version: Int
    public var kind: Kind
    public var meter: String
    public var sequence: UInt64
    /// Seconds since 1970, by the meter's clock.
    public var time: Int64
    public var wattHours: Int64?
    /// Tenths of a volt.
    public var decivolts: Int?
    /// Signal strength in dBm.
    public var signal: Int?
    public var relay: Relay?
    public var tamper: Bool?
    /// The command envelope, hex.
    public var command: String?
    public var acknowledges: UInt64?
    /// In a meter's ack of a portal command: whether it carried the command out, and what it
    /// says about it ("12.5 kWh added", "this token was used before").
    public var ok: Bool?
    public var result: String?

    enum CodingKeys: String, CodingKey {
        case version = "v"
        case kind = "k"
        case meter = "m"
        case sequence = "q"
        case time = "t"
        case wattHours = "wh"
        case decivolts = "dv"
        case signal = "dbm"
        case relay, tamper
        case command = "c"
        case acknowledges = "a"
        case ok
        case result = "r"
    }

    public init(
        kind: Kind, meter: String, sequence: UInt64, time: Int64, wattHours: Int64? = nil, decivolts: Int? = nil, signal: Int? = nil,
        relay: Relay? = nil, tamper: Bool? = nil, command: String? = nil, acknowledges: UInt64? = nil,
        ok: Bool? = nil, result: String? = nil
    ) {
        version = Int(ProtocolVersion.current)
        self.kind = kind
        self.meter = meter
        self.sequence = sequence
        self.time = time
        self.wattHours = wattHours
        self.decivolts = decivolts
        self.signal = signal
        self.relay = relay
        self.tamper = tamper
        self.command = command
        self.acknowledges = acknowledges
        self.ok = ok
        self.result = result
    }

    /// `[A-Z0-9][A-Z0-9-]{3,31}`, as the meter registry stores serials; checked byte by byte because
    /// a Swift `Regex` here cost more than the signature check.
    static func isSerial(_ text: String) -> Bool {
        let bytes = text.utf8
        guard (4...32).contains(bytes.count), let first = bytes.first, first != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { (65...90).contains($0) || (48...57).contains($0) || $0 == UInt8(ascii: "-") }
    }

    /// What makes a decoded message unusable, beyond its JSON: the fields its kind needs, a meter
    /// id the registry could hold, a sequence above zero.
    var problem: String? {
        if version != Int(ProtocolVersion.current) { return "version \(version) is not spoken here" }
        if !Self.isSerial(meter) { return "the meter id is not a serial" }
        if sequence == 0 { return "sequences start at 1" }
        switch kind {
        case .reading: if (wattHours ?? -1) < 0 { return "a reading needs its register (wh), not negative" }
        case .health: if decivolts == nil || relay == nil || tamper == nil { return "health needs dv, relay and tamper" }
        case .command: if command?.isEmpty ?? true { return "a command needs its envelope (c)" }
        case .ack:
            if acknowledges == nil { return "an ack names what it acknowledges (a)" }
            if (result?.count ?? 0) > 200 { return "an ack's result is at most 200 characters" }
        }
        return nil
    }
}
