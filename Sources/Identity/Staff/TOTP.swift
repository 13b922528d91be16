import COpenSSL
import Foundation
import Notifications
import Platform

/// Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the codes of
/// every authenticator app.
public enum TOTP {
    public static let stepSeconds: Int64 = 30

    public static func step(at date: Date) -> Int64 { Int64(date.timeIntervalSince1970) / stepSeconds }

    public static func code(secret: [UInt8], step: Int64) -> String {
        var counter = UInt64(step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Array($0) }
        var mac = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = HMAC(EVP_sha1(), secret, Int32(secret.count), message, message.count, &mac, &length)
        let offset = Int(mac[Int(length) - 1] & 0x0f)
        let value =
            (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        return String(format: "%06u", value % 1_000_000)
    }

    /// The step a code belongs to, allowing one step of clock drift either way; nil if it matches none.
    public static func matchingStep(_ code: String, secret: [UInt8], at date: Date) -> Int64? {
        let digits = code.filter { !$0.isWhitespace }
        guard digits.count == 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let now = step(at: date)
        return [now, now - 1, now + 1].first { Digest.constantTimeEquals(Array(Self.code(secret: secret, step: $0).utf8), Array(digits.utf8)) }
    }

    /// RFC 4648 base32 without padding, as authenticator apps expect secrets typed in.
    public static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var out = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int(buffer >> UInt32(bits - 5) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int(buffer << UInt32(5 - bits) & 31)]) }
        return out
    }

    /// The otpauth:// URI an authenticator app imports (Key Uri Format).
    public static func uri(secret: [UInt8], username: String, issuer: String = "Meterline") -> String {
        let label = "\(issuer):\(username)".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? username
        return "otpauth://totp/\(label)?secret=\(base32(secret))&issuer=\(issuer)&algorithm=SHA1&digits=6&period=30"
    }
}
