import Foundation
import MeterProtocol
import Platform

/// One simulated smart meter (BR-4): its key, its register, its sequence, and the messages it
/// sent that the bridge has not acknowledged yet (sent again after a reconnect), as a real meter
/// keeps them in its memory.
public actor SimulatedMeter {
    public enum Oddity: String, Sendable {
        /// Counts normally.
        case none
        /// Its tamper switch is open.
        case tamper
        /// It stopped counting: the register stays where it is.
        case stopped
    }

    public nonisolated let serial: String
    public nonisolated let key: Secp256k1.PrivateKey
    let curve: LoadCurve
    let oddity: Oddity
    /// The register in watt-hours, and when it was last advanced.
    private(set) var wattHours: Double
    private var advancedTo: Date
    private var sequence: UInt64 = 0
    private var unacknowledged: [UInt64: [UInt8]] = [:]
    /// Frames waiting for a connection, oldest first (readings from before it connected).
    private var backlog: [UInt64] = []
    public private(set) var acknowledged = 0

    public init(serial: String, key: Secp256k1.PrivateKey, curve: LoadCurve, wattHours: Double, since: Date, oddity: Oddity = .none) {
        self.serial = serial
        self.key = key
        self.curve = curve
        self.wattHours = wattHours
        self.advancedTo = since
        self.oddity = oddity
    }

    /// A meter's key, derived from the simulation's seed and its serial, so that `meter-sim keys`
    /// and `meter-sim run` agree without storing keys anywhere.
    public static func key(seed: String, serial: String) -> Secp256k1.PrivateKey {
        var material = Digest.sha256(Array("meter-sim \(seed) \(serial)".utf8))
        while true {
            if let key = Secp256k1.PrivateKey(material) { return key }
            material = Digest.sha256(material)
        }
    }

    /// Sequences come from the clock (milliseconds), so a simulator started again never reuses one.
    private func nextSequence(at now: Date) -> UInt64 {
        sequence = max(sequence + 1, UInt64(now.timeIntervalSince1970 * 1000))
        return sequence
    }

    /// Hourly readings from where the register stood up to `now`, at most `limit` of them: what a
    /// meter that could not reach the bridge keeps to send later.
    public func catchUp(to now: Date, limit: Int) throws {
        var hour = (advancedTo.timeIntervalSince1970 / 3600).rounded(.down) * 3600 + 3600
        let first = max(hour, now.timeIntervalSince1970 - Double(limit) * 3600)
        hour = (first / 3600).rounded(.down) * 3600
        var produced = 0
        while hour < now.timeIntervalSince1970, produced < limit {
            let at = Date(timeIntervalSince1970: hour)
            let frame = try reading(at: at, sequence: UInt64(hour * 1000))
            backlog.append(sequence)
            unacknowledged[sequence] = frame
            hour += 3600
            produced += 1
        }
    }

    /// The frames to send on a new connection: everything not acknowledged, oldest first.
    public func pending() -> [[UInt8]] {
        let order = unacknowledged.keys.sorted()
        backlog = []
        return order.compactMap { unacknowledged[$0] }
    }

    /// A signed reading of the register now; kept until acknowledged.
    public func readNow(at now: Date = Date()) throws -> [UInt8] {
        let frame = try reading(at: now, sequence: nextSequence(at: now))
        unacknowledged[sequence] = frame
        return frame
    }

    public func health(at now: Date = Date()) throws -> [UInt8] {
        let message = MeterMessage(
            kind: .health, meter: serial, sequence: nextSequence(at: now), time: Int64(now.timeIntervalSince1970),
            decivolts: 2_300 + Int.random(in: -60...60), signal: -60 - Int.random(in: 0...40), relay: .on, tamper: oddity == .tamper)
        let frame = try SignedFrame.encode(message, with: key)
        unacknowledged[sequence] = frame
        return frame
    }

    public func acknowledge(_ sequence: UInt64) {
        if unacknowledged.removeValue(forKey: sequence) != nil { acknowledged += 1 }
    }

    public var waiting: Int { unacknowledged.count }

    private func reading(at time: Date, sequence: UInt64) throws -> [UInt8] {
        self.sequence = max(self.sequence, sequence)
        if time > advancedTo {
            if oddity != .stopped { wattHours += curve.use(from: advancedTo, to: time) * Double.random(in: 0.8...1.2) }
            advancedTo = time
        }
        let message = MeterMessage(
            kind: .reading, meter: serial, sequence: sequence, time: Int64(time.timeIntervalSince1970), wattHours: Int64(wattHours))
        return try SignedFrame.encode(message, with: key)
    }
}
