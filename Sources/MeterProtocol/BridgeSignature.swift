import Foundation
import Platform

/// How the portal and its bridges prove their calls to each other: header `Bridge-Signature`, a
/// `BodySignature` with their shared secret over the method, the path and the body, so a
/// signature for one call is no good for another.
public struct BridgeSignature: Sendable {
    public static let header = "Bridge-Signature"
    /// A shared secret shorter than this is refused at start.
    public static let minimumSecretLength = 32
    let signature: BodySignature

    public init(secret: [UInt8]) {
        signature = BodySignature(secret: secret)
    }

    public func sign(method: String, path: String, body: [UInt8], at time: Date) -> String {
        signature.sign(body: Self.signed(method: method, path: path, body: body), at: time)
    }

    public func verify(method: String, path: String, body: [UInt8], header: String?, at now: Date) throws(BodySignature.Refusal) {
        try signature.verify(body: Self.signed(method: method, path: path, body: body), header: header, at: now)
    }

    private static func signed(method: String, path: String, body: [UInt8]) -> [UInt8] {
        Array("\(method) \(path)\n".utf8) + body
    }
}
