import Foundation
import Platform

/// The signature every gateway callback carries, in the header `Payment-Signature: t=…,v1=…`
/// (`BodySignature`).
public struct WebhookSignature: Sendable {
    public static let header = "Payment-Signature"
    let signature: BodySignature

    public init(secret: [UInt8]) {
        signature = BodySignature(secret: secret)
    }

    public func sign(body: [UInt8], at time: Date) -> String {
        signature.sign(body: body, at: time)
    }

    public func verify(body: [UInt8], header: String?, at now: Date) throws {
        do {
            try signature.verify(body: body, header: header, at: now)
        } catch .missing {
            throw CallbackRefused.noSignature
        } catch .mismatch {
            throw CallbackRefused.badSignature
        } catch .stale {
            throw CallbackRefused.stale
        }
    }
}
