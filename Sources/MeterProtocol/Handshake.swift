import Foundation
import Platform

/// How a meter proves who it is when it connects (BR-1): the bridge sends a fresh nonce, the meter
/// answers with its serial signed together with that nonce. A recorded answer is useless on the
/// next connection, whose nonce differs.
public enum Handshake {
    /// The meter's answer: 128 hex digits of signature, then the serial.
    public static func proof(serial: String, nonce: String, key: Secp256k1.PrivateKey) -> String {
        Hex.encode(key.sign(digest: digest(serial: serial, nonce: nonce))) + serial
    }

    /// The serial the proof names, once its signature is checked with that meter's key.
    public static func verify(_ proof: String, nonce: String, key keyOf: (String) -> Secp256k1.PublicKey?) -> Result<String, MessageVerifier.Refusal>
    {
        let bytes = Array(proof.utf8)
        guard bytes.count <= SignedFrame.signatureLength + 32, let (signature, body) = SignedFrame.split(bytes) else {
            return .failure(.malformed("not a signed serial"))
        }
        let serial = String(decoding: body, as: UTF8.self)
        guard MeterMessage.isSerial(serial) else { return .failure(.malformed("the meter id is not a serial")) }
        guard let key = keyOf(serial) else { return .failure(.unknownMeter(serial)) }
        guard key.verifies(signature, digest: digest(serial: serial, nonce: nonce)) else { return .failure(.badSignature) }
        return .success(serial)
    }

    static func digest(serial: String, nonce: String) -> [UInt8] {
        Digest.sha256(Array("meterline hello v1\n\(nonce)\n\(serial)".utf8))
    }
}

/// What the bridge says to a meter, unsigned JSON: it is only ever a request; nothing a meter
/// does on it (answering, dropping what was acknowledged) can harm the meter or its account.
/// Commands that change a meter come from the portal, signed and sealed (`CommandEnvelope`).
public struct BridgeInstruction: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// Prove who you are: sign this nonce with your serial.
        case challenge
        /// Your message with sequence `acknowledges` is safely stored: stop keeping it.
        case ack
        /// Send a reading now (BR-2), for the read-all round `round`.
        case read
        /// A command from the portal (BR-3), passed on as the portal signed it (`CommandFrame`).
        case command
    }

    public var kind: Kind
    public var nonce: String?
    public var acknowledges: UInt64?
    public var round: String?
    public var frame: String?

    enum CodingKeys: String, CodingKey {
        case kind = "k"
        case nonce = "n"
        case acknowledges = "a"
        case round = "r"
        case frame = "f"
    }

    public init(kind: Kind, nonce: String? = nil, acknowledges: UInt64? = nil, round: String? = nil, frame: String? = nil) {
        self.kind = kind
        self.nonce = nonce
        self.acknowledges = acknowledges
        self.round = round
        self.frame = frame
    }

    public static func challenge(_ nonce: String) -> Self { .init(kind: .challenge, nonce: nonce) }
    public static func ack(_ sequence: UInt64) -> Self { .init(kind: .ack, acknowledges: sequence) }
    public static func read(_ round: String) -> Self { .init(kind: .read, round: round) }
    public static func command(_ frame: String) -> Self { .init(kind: .command, frame: frame) }

    public var text: String {
        String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self)
    }
}
