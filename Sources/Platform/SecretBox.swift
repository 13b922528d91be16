import COpenSSL

/// Seals small secrets kept in the database (staff TOTP keys) with AES-256-GCM, under a key
/// derived from SECRET_KEY with HKDF-SHA256 for one purpose. A stolen database alone does not
/// give the secrets away, and a sealed value cannot be altered without detection.
public struct SecretBox: Sendable {
    public let key: [UInt8]
    public static let nonceLength = 12
    public static let tagLength = 16

    public init(secretKey: [UInt8], purpose: String) {
        key = Self.hkdfSHA256(key: secretKey, info: Array("meterline:\(purpose)".utf8), length: 32)
    }

    /// nonce ‖ ciphertext ‖ tag.
    public func seal(_ plaintext: [UInt8]) -> [UInt8] {
        let nonce = SecureRandom.bytes(Self.nonceLength)
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        var tag = [UInt8](repeating: 0, count: Self.tagLength)
        let context = EVP_CIPHER_CTX_new()
        defer { EVP_CIPHER_CTX_free(context) }
        var written: Int32 = 0
        var total = 0
        let ok =
            EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1
            && EVP_EncryptUpdate(context, &ciphertext, &written, plaintext, Int32(plaintext.count)) == 1
        total = Int(written)
        let finished =
            ok
            && ciphertext.withUnsafeMutableBufferPointer {
                EVP_EncryptFinal_ex(context, $0.baseAddress! + total, &written) == 1
            }
        total += Int(written)
        // 0x10 is EVP_CTRL_AEAD_GET_TAG, a macro Swift does not import.
        let tagged = finished && EVP_CIPHER_CTX_ctrl(context, 0x10, Int32(Self.tagLength), &tag) == 1
        precondition(tagged, "AES-256-GCM sealing failed in OpenSSL")
        return nonce + ciphertext.prefix(total) + tag
    }

    /// The plaintext, or nil when the value was not sealed by this key and purpose, or was altered.
    public func open(_ sealed: [UInt8]) -> [UInt8]? {
        guard sealed.count >= Self.nonceLength + Self.tagLength else { return nil }
        let nonce = Array(sealed.prefix(Self.nonceLength))
        let ciphertext = Array(sealed.dropFirst(Self.nonceLength).dropLast(Self.tagLength))
        var tag = Array(sealed.suffix(Self.tagLength))
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + 16)
        let context = EVP_CIPHER_CTX_new()
        defer { EVP_CIPHER_CTX_free(context) }
        var written: Int32 = 0
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1,
            EVP_DecryptUpdate(context, &plaintext, &written, ciphertext, Int32(ciphertext.count)) == 1,
            // 0x11 is EVP_CTRL_AEAD_SET_TAG.
            EVP_CIPHER_CTX_ctrl(context, 0x11, Int32(Self.tagLength), &tag) == 1
        else { return nil }
        let total = Int(written)
        let verified = plaintext.withUnsafeMutableBufferPointer { EVP_DecryptFinal_ex(context, $0.baseAddress! + total, &written) == 1 }
        return verified ? Array(plaintext.prefix(total)) : nil
    }

    /// RFC 5869 HKDF-SHA256 (no salt) through OpenSSL.
    public static func hkdfSHA256(key: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        let context = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nil)
        defer { EVP_PKEY_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: length)
        var outputLength = length
        let ok =
            EVP_PKEY_derive_init(context) == 1
            && EVP_PKEY_CTX_set_hkdf_md(context, EVP_sha256()) == 1
            && EVP_PKEY_CTX_set1_hkdf_key(context, key, Int32(key.count)) == 1
            && EVP_PKEY_CTX_add1_hkdf_info(context, info, Int32(info.count)) == 1
            && EVP_PKEY_derive(context, &output, &outputLength) == 1
        precondition(ok && outputLength == length, "HKDF failed in OpenSSL")
        return output
    }
}
