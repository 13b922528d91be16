import Foundation
import Testing

@testable import MeterProtocol
@testable import Platform

/// BR-1: the signed message format and the command envelope, checked against values computed
/// independently (Python's `ecdsa` and `cryptography` packages, from the same fixed keys), and
/// against every way a frame can be wrong.
@Suite("Meter protocol (BR-1)")
struct MeterProtocolTests {
    static let meterKey = Secp256k1.PrivateKey([UInt8](repeating: 0x11, count: 32))!
    static let body = Array(#"{"v":1,"k":"reading","m":"SIM-000001","q":42,"t":1764633600,"wh":1234567}"#.utf8)

    @Test("signatures match the known answer: RFC 6979 nonces, low-S, 64 bytes")
    func signatureKnownAnswer() {
        #expect(Hex.encode(Self.meterKey.publicKey.compressed) == "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa")
        let signature = Self.meterKey.sign(digest: Digest.sha256(Self.body))
        #expect(
            Hex.encode(signature)
                == "b342f49a1a97a44a7910f61908e7732fb0df84c9b52c44e2c18c576180b4238314b1f64de0f01cd6a305ec8a9b574039711b7c16e2971cd06fd8f8ca54576662"
        )
        #expect(Self.meterKey.publicKey.verifies(signature, digest: Digest.sha256(Self.body)))
    }

    @Test("the command envelope matches the known answer and opens only on its meter, with its key, unaltered")
    func envelopeKnownAnswer() throws {
        let ephemeral = try #require(Secp256k1.PrivateKey([UInt8](repeating: 0x22, count: 32)))
        #expect(
            Hex.encode(ephemeral.sharedSecret(with: Self.meterKey.publicKey)) == "b36b6d195982c5be874d6d542dc268234379e1ae4ff1709402135b7de5cf0766")
        let plaintext = Array(#"{"relay":"off"}"#.utf8)
        let sealed = CommandEnvelope.seal(
            plaintext, to: "SIM-000001", key: Self.meterKey.publicKey, ephemeral: ephemeral, nonce: [UInt8](repeating: 0x33, count: 12))
        #expect(
            Hex.encode(sealed)
                == "02466d7fcae563e5cb09a0d1870bb580344804617879a14949cf22285f1bae3f273333333333333333333333338293892ee15e3e8c3c8e1800b0237c9d451ed09c2561c97eb826d458866260"
        )
        #expect(CommandEnvelope.open(sealed, as: "SIM-000001", key: Self.meterKey) == plaintext)
        #expect(CommandEnvelope.open(sealed, as: "SIM-000002", key: Self.meterKey) == nil)
        #expect(CommandEnvelope.open(sealed, as: "SIM-000001", key: .generate()) == nil)
        var altered = sealed
        altered[50] ^= 1
        #expect(CommandEnvelope.open(altered, as: "SIM-000001", key: Self.meterKey) == nil)
        #expect(CommandEnvelope.open(Array(sealed.prefix(40)), as: "SIM-000001", key: Self.meterKey) == nil)
        // A fresh envelope each time: another ephemeral key and nonce.
        let fresh = CommandEnvelope.seal(plaintext, to: "SIM-000001", key: Self.meterKey.publicKey)
        #expect(fresh != sealed)
        #expect(CommandEnvelope.open(fresh, as: "SIM-000001", key: Self.meterKey) == plaintext)
    }

    @Test("a good frame is accepted once; tampered, wrong-key, replayed, unknown, oversize and malformed frames are refused")
    func verifierRefusesBadFrames() throws {
        let key = Self.meterKey
        var verifier = MessageVerifier(keys: ["SIM-000001": key.publicKey])
        let reading = MeterMessage(kind: .reading, meter: "SIM-000001", sequence: 42, time: 1_764_633_600, wattHours: 1_234_567)
        let frame = try SignedFrame.encode(reading, with: key)
        #expect(try verifier.accept(frame).get() == reading)
        #expect(verifier.accept(frame) == .failure(.replayed(sequence: 42, last: 42)))
        var older = reading
        older.sequence = 41
        #expect(verifier.accept(try SignedFrame.encode(older, with: key)) == .failure(.replayed(sequence: 41, last: 42)))

        var next = reading
        next.sequence = 43
        next.wattHours = 1_234_600
        var tampered = try SignedFrame.encode(next, with: key)
        let digit = try #require(tampered.lastIndex(of: UInt8(ascii: "6")))
        tampered[digit] = UInt8(ascii: "7")
        #expect(verifier.accept(tampered) == .failure(.badSignature))
        #expect(verifier.accept(try SignedFrame.encode(next, with: .generate())) == .failure(.badSignature))
        // A refused frame does not move the sequence on: the good one still goes through.
        #expect(verifier.lastSequence["SIM-000001"] == 42)
        #expect(try verifier.accept(try SignedFrame.encode(next, with: key)).get().wattHours == 1_234_600)

        var stranger = reading
        stranger.meter = "SIM-999999"
        #expect(verifier.accept(try SignedFrame.encode(stranger, with: key)) == .failure(.unknownMeter("SIM-999999")))
        #expect(verifier.accept([UInt8](repeating: 0x61, count: 5000)) == .failure(.oversize(5000)))
        #expect(verifier.accept(Array("hello".utf8)) == .failure(.malformed("no signature before the body")))
        #expect(
            verifier.accept(SignedFrame.sign(body: Array("{not json".utf8), with: key)) == .failure(.malformed("the body is not a message's JSON")))
        let noRegister = SignedFrame.sign(body: Array(#"{"v":1,"k":"reading","m":"SIM-000001","q":50,"t":1}"#.utf8), with: key)
        #expect(verifier.accept(noRegister) == .failure(.malformed("a reading needs its register (wh), not negative")))
        let future = SignedFrame.sign(body: Array(#"{"v":9,"k":"ack","m":"SIM-000001","q":50,"t":1,"a":3}"#.utf8), with: key)
        #expect(verifier.accept(future) == .failure(.malformed("version 9 is not spoken here")))
    }

    @Test("a meter id is a serial as the registry stores it")
    func serials() {
        for good in ["MTR-000000002", "SIM-000001", "ABCD", String(repeating: "A", count: 32)] { #expect(MeterMessage.isSerial(good), "\(good)") }
        for bad in ["sim-000001", "-ABCD", "ABC", String(repeating: "A", count: 33), "SIM 0001", "SIM-ÄÖ01", ""] {
            #expect(!MeterMessage.isSerial(bad), "\(bad)")
        }
    }

    @Test("the high-S twin of a good signature is refused")
    func highSIsRefused() throws {
        let digest = Digest.sha256(Self.body)
        let signature = Self.meterKey.sign(digest: digest)
        // s' = n - s: mathematically valid too, so only a low-S rule stops a third party altering it.
        let order: [UInt8] = Array(Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")!)
        var s = Array(signature.suffix(32))
        var borrow = 0
        for index in (0..<32).reversed() {
            let difference = Int(order[index]) - Int(s[index]) - borrow
            s[index] = UInt8((difference + 256) % 256)
            borrow = difference < 0 ? 1 : 0
        }
        #expect(!Self.meterKey.publicKey.verifies(Array(signature.prefix(32)) + s, digest: digest))
        #expect(Secp256k1.PrivateKey([UInt8](repeating: 0, count: 32)) == nil)
        #expect(Secp256k1.PublicKey([0x02] + [UInt8](repeating: 0xff, count: 32)) == nil)
    }
}
