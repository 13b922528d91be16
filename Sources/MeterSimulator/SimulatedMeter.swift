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
    /// With `keepJournal`: the sequences of the readings the bridge acknowledged, for tests that
    /// check nothing acknowledged is lost (off for load runs: it only grows).
    public private(set) var journal: [UInt64]? = nil
    /// Checks commands: the portal's key under this meter's serial, and the last command sequence.
    private var commands: MessageVerifier
    private let acceptsCommands: Bool
    /// The answers given, by command sequence, to answer a repeat the same way.
    private var answers: [UInt64: (ok: Bool, result: String)] = [:]
    public private(set) var relayOn = true
    /// A prepaid meter's decoder key, credit (tenths of a kWh) and the token identifiers it has
    /// seen, as a real STS meter keeps them (the newest 50).
    private var decoderKey: STSDecoderKey?
    public private(set) var creditTenths = 0
    private var usedIdentifiers: [UInt32] = []
    private var newKeyFirst: STSToken.KeyChangeFirst?

    public init(
        serial: String, key: Secp256k1.PrivateKey, curve: LoadCurve, wattHours: Double, since: Date, oddity: Oddity = .none,
        portalKey: Secp256k1.PublicKey? = nil, decoderKey: STSDecoderKey? = nil, keepJournal: Bool = false
    ) {
        if keepJournal { journal = [] }
        self.serial = serial
        self.key = key
        self.curve = curve
        self.wattHours = wattHours
        self.advancedTo = since
        self.oddity = oddity
        commands = MessageVerifier(keys: portalKey.map { [serial: $0] } ?? [:])
        acceptsCommands = portalKey != nil
        self.decoderKey = decoderKey
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
            decivolts: 2_300 + Int.random(in: -60...60), signal: -60 - Int.random(in: 0...40), relay: relayOn ? .on : .off,
            tamper: oddity == .tamper)
        let frame = try SignedFrame.encode(message, with: key)
        unacknowledged[sequence] = frame
        return frame
    }

    /// BR-3: a command frame from the portal, passed on by the bridge. The answer is a signed ack
    /// kept until the bridge acknowledges it; a repeated command gets the first answer again and
    /// changes nothing.
    public func command(_ frame: String, at now: Date = Date()) throws -> [UInt8]? {
        guard acceptsCommands else { return nil }
        let (sequence, outcome): (UInt64, (ok: Bool, result: String))
        switch CommandFrame.open(frame, verifier: &commands, meterKey: key) {
        case .success(let opened):
            sequence = opened.sequence
            outcome = apply(opened.command)
            answers[sequence] = outcome
        case .failure(.replayed(let repeated, _)):
            sequence = repeated
            outcome = answers[repeated] ?? (false, "This command came after a newer one and was not carried out.")
        case .failure:
            return nil
        }
        let message = MeterMessage(
            kind: .ack, meter: serial, sequence: nextSequence(at: now), time: Int64(now.timeIntervalSince1970), acknowledges: sequence,
            ok: outcome.ok, result: outcome.result)
        let signed = try SignedFrame.encode(message, with: key)
        unacknowledged[self.sequence] = signed
        return signed
    }

    private func apply(_ command: MeterCommand) -> (ok: Bool, result: String) {
        switch command {
        case .relay(let on):
            relayOn = on
            return (true, on ? "Supply connected." : "Supply disconnected.")
        case .diagnostics:
            return (
                true, "Relay \(relayOn ? "on" : "off"), tamper \(oddity == .tamper ? "open" : "closed"), register \(Int64(wattHours) / 1000) kWh."
            )
        case .loadToken(let digits):
            return load(digits)
        }
    }

    /// What an STS meter does with a typed token: decrypt with its key, check the CRC, refuse an
    /// identifier it has seen or one older than all it remembers, then add the credit.
    private func load(_ digits: String) -> (ok: Bool, result: String) {
        guard let decoderKey else { return (false, "This meter takes no tokens.") }
        let token: STSToken
        do { token = try STSToken(digits: digits, key: decoderKey) } catch { return (false, error.description) }
        switch token {
        case .credit(let credit):
            let identifier = credit.identifier.minutes
            if usedIdentifiers.contains(identifier) { return (false, "This token was used before.") }
            if usedIdentifiers.count >= 50, let oldest = usedIdentifiers.min(), identifier < oldest {
                return (false, "This token is older than the tokens this meter remembers.")
            }
            usedIdentifiers.append(identifier)
            if usedIdentifiers.count > 50, let oldest = usedIdentifiers.min() { usedIdentifiers.removeAll { $0 == oldest } }
            creditTenths += credit.amount.tenths
            return (
                true, "Added \(credit.amount.tenths / 10).\(credit.amount.tenths % 10) kWh; credit \(creditTenths / 10).\(creditTenths % 10) kWh."
            )
        case .keyChangeFirst(let first):
            newKeyFirst = first
            return (true, "First half of the new key taken.")
        case .keyChangeSecond(let second):
            guard let first = newKeyFirst else { return (false, "Type the first key change token first.") }
            self.decoderKey = STSDecoderKey(newKeyHigh: first.newKeyHigh, newKeyLow: second.newKeyLow)
            newKeyFirst = nil
            if first.rollover { usedIdentifiers = [] }
            return (true, "New key \(first.keyRevision) in use.")
        }
    }

    public func acknowledge(_ sequence: UInt64) {
        guard let frame = unacknowledged.removeValue(forKey: sequence) else { return }
        acknowledged += 1
        if journal != nil, String(decoding: frame, as: UTF8.self).contains(#""k":"reading""#) { journal?.append(sequence) }
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
