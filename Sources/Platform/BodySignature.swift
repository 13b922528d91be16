import Foundation

/// The HMAC a trusted peer puts on what it sends (a payment gateway's callbacks, a meter bridge's
/// batches): `t=…,v1=…`, HMAC-SHA256 with the shared secret over `timestamp.body`, in hex. A
/// timestamp more than five minutes from now is refused, so a captured request cannot be
/// replayed later.
public struct BodySignature: Sendable {
    public static let tolerance: TimeInterval = 300

    public enum Refusal: Error, Equatable, Sendable {
        case missing, mismatch, stale
    }

    let secret: [UInt8]

    public init(secret: [UInt8]) {
        self.secret = secret
    }

    public func sign(body: [UInt8], at time: Date) -> String {
        let timestamp = Int64(time.timeIntervalSince1970)
        return "t=\(timestamp),v1=\(Hex.encode(mac(timestamp: timestamp, body: body)))"
    }

    public func verify(body: [UInt8], header: String?, at now: Date) throws(Refusal) {
        guard let header, !header.isEmpty else { throw .missing }
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            switch pair[0] {
            case "t": timestamp = Int64(pair[1])
            case "v1": if let bytes = Hex.decode(pair[1]) { signatures.append(bytes) }
            default: continue
            }
        }
        guard let timestamp, !signatures.isEmpty else { throw .mismatch }
        let expected = mac(timestamp: timestamp, body: body)
        // Any one of the signatures may match: a peer signs with old and new secret while rotating.
        guard signatures.contains(where: { Digest.constantTimeEquals($0, expected) }) else { throw .mismatch }
        guard abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= Self.tolerance else { throw .stale }
    }

    private func mac(timestamp: Int64, body: [UInt8]) -> [UInt8] {
        Digest.hmacSHA256(key: secret, message: Array("\(timestamp).".utf8) + body)
    }
}
