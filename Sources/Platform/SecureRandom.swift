import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's CSPRNG, for session ids, CSRF tokens and codes.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        // OpenSSL only fails here when the system has no entropy source: nothing is safe to do then.
        precondition(ok == 1, "OpenSSL RAND_bytes failed")
        return bytes
    }

    /// A URL- and cookie-safe token carrying `byteCount` random bytes.
    public static func token(byteCount: Int = 32) -> String {
        Base64URL.encode(bytes(byteCount))
    }
}
