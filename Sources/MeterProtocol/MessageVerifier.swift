import Foundation
import Platform

/// Checks every frame a meter sends (BR-1): size, signature by the meter's registered key, a
/// well-formed message naming that meter, and a sequence above the last one accepted from it.
/// A refused frame changes nothing, so a forger cannot push a meter's sequence forward.
public struct MessageVerifier: Sendable {
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case oversize(Int)
        case malformed(String)
        case unknownMeter(String)
        case badSignature
        case replayed(sequence: UInt64, last: UInt64)

        public var description: String {
            switch self {
            case .oversize(let size): "a frame of \(size) bytes is over the \(SignedFrame.maximumSize)-byte limit"
            case .malformed(let why): "not a meter message: \(why)"
            case .unknownMeter(let meter): "meter \(meter) is not registered"
            case .badSignature: "the signature does not match the meter's key"
            case .replayed(let sequence, let last): "sequence \(sequence) is not after \(last): a replay"
            }
        }

        /// A short name for counting refusals by kind.
        public var name: String {
            switch self {
            case .oversize: "oversize"
            case .malformed: "malformed"
            case .unknownMeter: "unknown_meter"
            case .badSignature: "bad_signature"
            case .replayed: "replayed"
            }
        }
    }

    /// Registered meters' public keys, by serial.
    public var keys: [String: Secp256k1.PublicKey]
    /// The highest sequence accepted from each meter.
    public private(set) var lastSequence: [String: UInt64] = [:]

    public init(keys: [String: Secp256k1.PublicKey], lastSequence: [String: UInt64] = [:]) {
        self.keys = keys
        self.lastSequence = lastSequence
    }

    /// The message of a good frame (and its sequence is remembered), or why it is refused.
    public mutating func accept(_ frame: [UInt8]) -> Result<MeterMessage, Refusal> {
        let checked = check(frame)
        if case .success(let message) = checked { lastSequence[message.meter] = message.sequence }
        return checked
    }

    /// As `accept`, without remembering the sequence.
    public func check(_ frame: [UInt8]) -> Result<MeterMessage, Refusal> {
        guard frame.count <= SignedFrame.maximumSize else { return .failure(.oversize(frame.count)) }
        guard let (signature, body) = SignedFrame.split(frame) else { return .failure(.malformed("no signature before the body")) }
        let message: MeterMessage
        do {
            message = try JSONDecoder().decode(MeterMessage.self, from: Data(body))
        } catch {
            return .failure(.malformed("the body is not a message's JSON"))
        }
        if let problem = message.problem { return .failure(.malformed(problem)) }
        guard let key = keys[message.meter] else { return .failure(.unknownMeter(message.meter)) }
        guard key.verifies(signature, digest: Digest.sha256(body)) else { return .failure(.badSignature) }
        let last = lastSequence[message.meter] ?? 0
        guard message.sequence > last else { return .failure(.replayed(sequence: message.sequence, last: last)) }
        return .success(message)
    }
}
