import COpenSSL

/// Single-block DES, the one-way step inside STS key derivation DKGA-02. OpenSSL's low-level call is
/// used because EVP only offers single DES through the legacy provider, which is not loaded here.
enum DES {
    /// Encrypts one block; `key` and `block` are read most significant byte first. Parity bits are ignored,
    /// as STS vending keys do not set them.
    static func encrypt(_ block: UInt64, key: UInt64) -> UInt64 {
        var keyBytes: DES_cblock = (0, 0, 0, 0, 0, 0, 0, 0)
        var input: DES_cblock = (0, 0, 0, 0, 0, 0, 0, 0)
        var output: DES_cblock = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &keyBytes) { $0.storeBytes(of: key.bigEndian, as: UInt64.self) }
        withUnsafeMutableBytes(of: &input) { $0.storeBytes(of: block.bigEndian, as: UInt64.self) }
        var schedule = DES_key_schedule()
        DES_set_key_unchecked(&keyBytes, &schedule)
        DES_ecb_encrypt(&input, &output, &schedule, DES_ENCRYPT)
        return UInt64(bigEndian: withUnsafeBytes(of: output) { $0.loadUnaligned(as: UInt64.self) })
    }
}
