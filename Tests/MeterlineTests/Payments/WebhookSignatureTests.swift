import Foundation
import Testing

@testable import Payments
@testable import Platform

/// BL-5: a callback is believed only with a good signature over its timestamp and body.
@Suite("Webhook signatures (BL-5)")
struct WebhookSignatureTests {
    let signature = WebhookSignature(secret: Array("a test secret for gateway callbacks, 32+".utf8))
    let body = Array(#"{"id":"evt_1","type":"payment.succeeded"}"#.utf8)
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    @Test("a signature made with the secret over the body is accepted")
    func signedBodyIsAccepted() throws {
        let header = signature.sign(body: body, at: now)
        #expect(header.hasPrefix("t=1790000000,v1="))
        try signature.verify(body: body, header: header, at: now.addingTimeInterval(30))
    }

    @Test("a changed body, another secret, a missing header or a made-up one are refused")
    func forgeriesAreRefused() {
        let header = signature.sign(body: body, at: now)
        #expect(throws: CallbackRefused.badSignature) { try signature.verify(body: body + [0x20], header: header, at: now) }
        let other = WebhookSignature(secret: Array("another secret, also thirty-two chars".utf8))
        #expect(throws: CallbackRefused.badSignature) { try other.verify(body: body, header: header, at: now) }
        #expect(throws: CallbackRefused.noSignature) { try signature.verify(body: body, header: nil, at: now) }
        #expect(throws: CallbackRefused.badSignature) { try signature.verify(body: body, header: "t=1790000000", at: now) }
        #expect(throws: CallbackRefused.badSignature) { try signature.verify(body: body, header: "v1=zz,t=x", at: now) }
    }

    @Test("a callback signed more than five minutes ago is refused, so a captured one cannot be replayed")
    func staleCallbacksAreRefused() throws {
        let header = signature.sign(body: body, at: now)
        try signature.verify(body: body, header: header, at: now.addingTimeInterval(299))
        #expect(throws: CallbackRefused.stale) { try signature.verify(body: body, header: header, at: now.addingTimeInterval(301)) }
        #expect(throws: CallbackRefused.stale) { try signature.verify(body: body, header: header, at: now.addingTimeInterval(-301)) }
    }
}
