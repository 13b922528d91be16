import Foundation
import Platform

/// One message on the wire: the signature (128 hex digits, ECDSA secp256k1 over SHA-256 of the
/// body) followed by the body, the message's JSON exactly as signed. No re-encoding is needed to
/// check it, and the body is still readable JSON.
public enum SignedFrame {
    public static let signatureLength = 128
    /// Frames larger than this are refused before anything else is read.
    public static let maximumSize = 4096

    public static func encode(_ message: MeterMessage, with key: Secp256k1.PrivateKey) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = Array(try encoder.encode(message))
        return sign(body: body, with: key)
    }

    public static func sign(body: [UInt8], with key: Secp256k1.PrivateKey) -> [UInt8] {
        Array(Hex.encode(key.sign(digest: Digest.sha256(body))).utf8) + body
    }

    /// The signature and body of a frame, or nil when it is not one.
    static func split(_ frame: [UInt8]) -> (signature: [UInt8], body: [UInt8])? {
        // Lower-case hex only, as `sign` writes it: one message, one frame.
        let prefix = frame.prefix(signatureLength)
        guard frame.count > signatureLength, prefix.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }),
            let signature = Hex.decode(String(decoding: prefix, as: UTF8.self)), signature.count == 64
        else { return nil }
        return (signature, Array(frame.dropFirst(signatureLength)))
    }
}
