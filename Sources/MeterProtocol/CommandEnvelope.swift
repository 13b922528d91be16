import Platform

/// ECIES for commands to a meter (BR-3): a fresh ephemeral key agrees a secret with the meter's
/// public key (ECDH on secp256k1), HKDF-SHA256 (salt: the ephemeral public key) makes an AES-256-GCM
/// key, and the meter's serial is authenticated with the ciphertext, so an envelope opens only on
/// its meter. Sealed: ephemeral public key (33) ‖ nonce (12) ‖ ciphertext ‖ tag (16).
public enum CommandEnvelope {
    static let info = Array("meterline command v1".utf8)
    static let overhead = 33 + AESGCM.nonceLength + AESGCM.tagLength

    public static func seal(_ plaintext: [UInt8], to meter: String, key recipient: Secp256k1.PublicKey) -> [UInt8] {
        seal(plaintext, to: meter, key: recipient, ephemeral: .generate(), nonce: SecureRandom.bytes(AESGCM.nonceLength))
    }

    /// With the ephemeral key and nonce given: for known-answer tests only.
    static func seal(
        _ plaintext: [UInt8], to meter: String, key recipient: Secp256k1.PublicKey, ephemeral: Secp256k1.PrivateKey, nonce: [UInt8]
    ) -> [UInt8] {
        let ephemeralPublic = ephemeral.publicKey.compressed
        let key = AESGCM.hkdfSHA256(key: ephemeral.sharedSecret(with: recipient), salt: ephemeralPublic, info: info, length: 32)
        return ephemeralPublic + nonce + AESGCM.seal(plaintext, key: key, nonce: nonce, aad: Array(meter.utf8))
    }

    /// The command, or nil when the envelope is not for this meter and key, or was altered.
    public static func open(_ sealed: [UInt8], as meter: String, key: Secp256k1.PrivateKey) -> [UInt8]? {
        guard sealed.count >= overhead, let ephemeral = Secp256k1.PublicKey(Array(sealed.prefix(33))) else { return nil }
        let nonce = Array(sealed.dropFirst(33).prefix(AESGCM.nonceLength))
        let symmetric = AESGCM.hkdfSHA256(key: key.sharedSecret(with: ephemeral), salt: Array(sealed.prefix(33)), info: info, length: 32)
        return AESGCM.open(Array(sealed.dropFirst(33 + AESGCM.nonceLength)), key: symmetric, nonce: nonce, aad: Array(meter.utf8))
    }
}
