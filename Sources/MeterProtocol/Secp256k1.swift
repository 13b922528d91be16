import CSecp256k1
import Platform

/// ECDSA and ECDH on secp256k1 through libsecp256k1 (it verifies about ten times faster than
/// OpenSSL on this curve). Signatures are over SHA-256 digests, deterministic (RFC 6979), low-S,
/// 64-byte compact; public keys are 33-byte compressed.
public enum Secp256k1 {
    /// libsecp256k1's context is precomputed tables, immutable once made and randomised, and safe
    /// to share across threads for signing, verifying and ECDH: one per process.
    nonisolated(unsafe) static let context: OpaquePointer = {
        // SECP256K1_CONTEXT_NONE; signing and verifying need no flags since 0.2.
        let context = secp256k1_context_create(1)!
        let seed = SecureRandom.bytes(32)
        precondition(secp256k1_context_randomize(context, seed) == 1, "libsecp256k1 could not randomise its context")
        return context
    }()

    /// A meter's or the portal's signing key: 32 secret bytes, valid on the curve.
    public struct PrivateKey: Sendable, Equatable {
        public let bytes: [UInt8]

        public init?(_ bytes: [UInt8]) {
            guard bytes.count == 32, secp256k1_ec_seckey_verify(Secp256k1.context, bytes) == 1 else { return nil }
            self.bytes = bytes
        }

        public static func generate() -> PrivateKey {
            while true { if let key = PrivateKey(SecureRandom.bytes(32)) { return key } }
        }

        public var publicKey: PublicKey {
            var pubkey = secp256k1_pubkey()
            precondition(secp256k1_ec_pubkey_create(Secp256k1.context, &pubkey, bytes) == 1)
            return PublicKey(pubkey)
        }

        /// The compact, low-S signature of `digest` (32 bytes).
        public func sign(digest: [UInt8]) -> [UInt8] {
            precondition(digest.count == 32, "sign a SHA-256 digest")
            var signature = secp256k1_ecdsa_signature()
            precondition(secp256k1_ecdsa_sign(Secp256k1.context, &signature, digest, bytes, nil, nil) == 1)
            var compact = [UInt8](repeating: 0, count: 64)
            secp256k1_ecdsa_signature_serialize_compact(Secp256k1.context, &compact, &signature)
            return compact
        }

        /// SHA-256 of the x coordinate of `self × other`, with its parity byte (libsecp256k1's ECDH).
        public func sharedSecret(with other: PublicKey) -> [UInt8] {
            var output = [UInt8](repeating: 0, count: 32)
            var pubkey = other.parsed.value
            precondition(secp256k1_ecdh(Secp256k1.context, &output, &pubkey, bytes, nil, nil) == 1)
            return output
        }
    }

    public struct PublicKey: Sendable, Equatable, Hashable {
        /// 33 bytes, compressed.
        public let compressed: [UInt8]
        let parsed: ParsedPublicKey

        init(_ key: secp256k1_pubkey) {
            var key = key
            var output = [UInt8](repeating: 0, count: 33)
            var length = 33
            // SECP256K1_EC_COMPRESSED
            secp256k1_ec_pubkey_serialize(Secp256k1.context, &output, &length, &key, UInt32((1 << 1) | (1 << 8)))
            compressed = output
            parsed = ParsedPublicKey(key)
        }

        /// A key in compressed (33 bytes) or uncompressed (65 bytes) form, if it is a point on the curve.
        public init?(_ bytes: [UInt8]) {
            var key = secp256k1_pubkey()
            guard bytes.count == 33 || bytes.count == 65, secp256k1_ec_pubkey_parse(Secp256k1.context, &key, bytes, bytes.count) == 1 else {
                return nil
            }
            self.init(key)
        }

        /// Whether `signature` (64 bytes, compact, low-S) signs `digest` under this key. A high-S
        /// twin of a good signature is refused, so a signature cannot be altered and still pass.
        public func verifies(_ signature: [UInt8], digest: [UInt8]) -> Bool {
            guard signature.count == 64, digest.count == 32 else { return false }
            var parsed = secp256k1_ecdsa_signature()
            guard secp256k1_ecdsa_signature_parse_compact(Secp256k1.context, &parsed, signature) == 1 else { return false }
            var key = self.parsed.value
            return secp256k1_ecdsa_verify(Secp256k1.context, &parsed, digest, &key) == 1
        }

        public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.compressed == rhs.compressed }
        public func hash(into hasher: inout Hasher) { hasher.combine(compressed) }
    }
}

/// A parsed public key, kept to skip parsing on every verification; libsecp256k1 only reads it.
final class ParsedPublicKey: @unchecked Sendable {
    let value: secp256k1_pubkey

    init(_ value: secp256k1_pubkey) {
        self.value = value
    }
}
