import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("Sealed secrets (AES-256-GCM, HKDF-SHA256)")
struct SecretBoxTests {
    let key = Array("test-secret-key-that-is-at-least-32-characters".utf8)

    @Test("a sealed secret opens with the same key and purpose, and each sealing differs")
    func roundTrip() {
        let box = SecretBox(secretKey: key, purpose: "totp")
        let secret: [UInt8] = Array(0..<20)
        let first = box.seal(secret)
        let second = box.seal(secret)
        #expect(first.count == 48)
        #expect(first != second)
        #expect(box.open(first) == secret)
        #expect(!Hex.encode(first).contains(Hex.encode(secret)))
    }

    @Test("an altered value, another purpose or another key does not open")
    func tamperAndKeys() {
        let box = SecretBox(secretKey: key, purpose: "totp")
        var sealed = box.seal(Array("twenty byte secret!!".utf8))
        #expect(SecretBox(secretKey: key, purpose: "other").open(sealed) == nil)
        #expect(SecretBox(secretKey: Array(repeating: 1, count: 32), purpose: "totp").open(sealed) == nil)
        sealed[20] ^= 1
        #expect(box.open(sealed) == nil)
        #expect(box.open([1, 2, 3]) == nil)
    }

    @Test("a value sealed as the stored TOTP secrets are (computed independently) still opens")
    func storedFormat() {
        // nonce ‖ ciphertext ‖ tag under HKDF-SHA256(secret, no salt, "meterline:totp"), from Python's `cryptography`.
        let sealed = Hex.decode("0102030405060708090a0b0c7fd5f767df71e167fb2ccdf8e340a86c3fe0b6ddb416a9fc50bc282df17042b3")!
        let box = SecretBox(secretKey: Array(0..<32), purpose: "totp")
        #expect(box.open(sealed).map { String(decoding: $0, as: UTF8.self) } == "JBSWY3DPEHPK3PXP")
    }

    @Test("HKDF-SHA256 matches RFC 5869 test case 3 (no salt, no info)")
    func hkdfVector() {
        let ikm = [UInt8](repeating: 0x0b, count: 22)
        #expect(
            Hex.encode(AESGCM.hkdfSHA256(key: ikm, info: [], length: 42))
                == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    }
}
