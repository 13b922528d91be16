/// Seals small secrets kept in the database (staff TOTP keys) with AES-256-GCM, under a key
/// derived from SECRET_KEY with HKDF-SHA256 for one purpose. A stolen database alone does not
/// give the secrets away, and a sealed value cannot be altered without detection.
public struct SecretBox: Sendable {
    public let key: [UInt8]

    public init(secretKey: [UInt8], purpose: String) {
        key = AESGCM.hkdfSHA256(key: secretKey, info: Array("meterline:\(purpose)".utf8), length: 32)
    }

    /// nonce ‖ ciphertext ‖ tag.
    public func seal(_ plaintext: [UInt8]) -> [UInt8] {
        let nonce = SecureRandom.bytes(AESGCM.nonceLength)
        return nonce + AESGCM.seal(plaintext, key: key, nonce: nonce)
    }

    /// The plaintext, or nil when the value was not sealed by this key and purpose, or was altered.
    public func open(_ sealed: [UInt8]) -> [UInt8]? {
        guard sealed.count >= AESGCM.nonceLength + AESGCM.tagLength else { return nil }
        return AESGCM.open(Array(sealed.dropFirst(AESGCM.nonceLength)), key: key, nonce: Array(sealed.prefix(AESGCM.nonceLength)))
    }
}
