import COpenSSL

/// AES-256-GCM and HKDF-SHA256 through OpenSSL 3: the one place Meterline seals with a key
/// (SecretBox's stored secrets, the meter protocol's command envelopes).
public enum AESGCM {
    public static let nonceLength = 12
    public static let tagLength = 16

    /// ciphertext ‖ tag, under a 32-byte `key` and a 12-byte `nonce` never used twice with it;
    /// `aad` is authenticated, not encrypted.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], aad: [UInt8] = []) -> [UInt8] {
        precondition(key.count == 32 && nonce.count == nonceLength, "AES-256-GCM takes a 32-byte key and a 12-byte nonce")
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        var tag = [UInt8](repeating: 0, count: tagLength)
        let context = EVP_CIPHER_CTX_new()
        defer { EVP_CIPHER_CTX_free(context) }
        var written: Int32 = 0
        var ok = EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1
        if ok, !aad.isEmpty { ok = EVP_EncryptUpdate(context, nil, &written, aad, Int32(aad.count)) == 1 }
        ok = ok && EVP_EncryptUpdate(context, &ciphertext, &written, plaintext, Int32(plaintext.count)) == 1
        var total = Int(written)
        ok = ok && ciphertext.withUnsafeMutableBufferPointer { EVP_EncryptFinal_ex(context, $0.baseAddress! + total, &written) == 1 }
        total += Int(written)
        // 0x10 is EVP_CTRL_AEAD_GET_TAG, a macro Swift does not import.
        ok = ok && EVP_CIPHER_CTX_ctrl(context, 0x10, Int32(tagLength), &tag) == 1
        precondition(ok, "AES-256-GCM sealing failed in OpenSSL")
        return Array(ciphertext.prefix(total)) + tag
    }

    /// The plaintext of ciphertext ‖ tag, or nil when the key, nonce or `aad` differ or a byte was altered.
    public static func open(_ sealed: [UInt8], key: [UInt8], nonce: [UInt8], aad: [UInt8] = []) -> [UInt8]? {
        guard key.count == 32, nonce.count == nonceLength, sealed.count >= tagLength else { return nil }
        let ciphertext = Array(sealed.dropLast(tagLength))
        var tag = Array(sealed.suffix(tagLength))
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + 16)
        let context = EVP_CIPHER_CTX_new()
        defer { EVP_CIPHER_CTX_free(context) }
        var written: Int32 = 0
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1,
            aad.isEmpty || EVP_DecryptUpdate(context, nil, &written, aad, Int32(aad.count)) == 1,
            EVP_DecryptUpdate(context, &plaintext, &written, ciphertext, Int32(ciphertext.count)) == 1,
            // 0x11 is EVP_CTRL_AEAD_SET_TAG.
            EVP_CIPHER_CTX_ctrl(context, 0x11, Int32(tagLength), &tag) == 1
        else { return nil }
        let total = Int(written)
        let verified = plaintext.withUnsafeMutableBufferPointer { EVP_DecryptFinal_ex(context, $0.baseAddress! + total, &written) == 1 }
        return verified ? Array(plaintext.prefix(total)) : nil
    }

    /// RFC 5869 HKDF-SHA256 (an empty `salt` is no salt).
    public static func hkdfSHA256(key: [UInt8], salt: [UInt8] = [], info: [UInt8], length: Int) -> [UInt8] {
        let context = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nil)
        defer { EVP_PKEY_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: length)
        var outputLength = length
        let ok =
            EVP_PKEY_derive_init(context) == 1
            && EVP_PKEY_CTX_set_hkdf_md(context, EVP_sha256()) == 1
            && (salt.isEmpty || EVP_PKEY_CTX_set1_hkdf_salt(context, salt, Int32(salt.count)) == 1)
            && EVP_PKEY_CTX_set1_hkdf_key(context, key, Int32(key.count)) == 1
            && EVP_PKEY_CTX_add1_hkdf_info(context, info, Int32(info.count)) == 1
            && EVP_PKEY_derive(context, &output, &outputLength) == 1
        precondition(ok && outputLength == length, "HKDF failed in OpenSSL")
        return output
    }
}
