/// # STS prepaid tokens (IEC 62055-41)
///
/// The 20-digit tokens a prepaid meter accepts: credit (class 0) and the decoder key change pair (class 2,
/// subclasses 3 and 4), built from DKGA-02 decoder keys and EA07 encryption, and checked against the public
/// CTSA01 and CTSA05 compliance vectors.
///
/// What differs from a certified STS implementation:
/// - It is not certified by the STS Association and has not been through its compliance tests; only the
///   published vectors were reproduced.
/// - Vending keys are plain values in software. A certified vending system keeps them in a secure module
///   (HSM) and never lets them out; here whoever holds the key can make any meter's tokens.
/// - Only DKGA-02 (DES-based key derivation from a 64-bit vending key) and EA07 (the Standard Transfer
///   Algorithm) are implemented. DKGA-04 (HMAC-SHA-256 derivation from 160-bit keys), EA11 (MISTY1),
///   128-bit keys with their 3rd and 4th key change tokens, common keys (key type 3), class 1 test tokens,
///   class 2 management tokens other than key change, and currency credit (subclasses 4–7) are not.
/// - The meter's side (the memory of used identifiers, key expiry numbers, key change rules) is not here:
///   decoding only recovers and checks a token's fields.
public enum STSToken: Sendable, Hashable {
    case credit(Credit)
    /// Set1stSectionDecoderKey: the high half of the new key. Encrypted under the meter's current key.
    case keyChangeFirst(KeyChangeFirst)
    /// Set2ndSectionDecoderKey: the low half of the new key. Encrypted under the meter's current key.
    case keyChangeSecond(KeyChangeSecond)

    public struct Credit: Sendable, Hashable {
        public enum Service: UInt8, Sendable {
            case electricity = 0
            case water = 1
            case gas = 2
            case time = 3
        }
        public var service: Service
        /// 4 bits that make two tokens alike in everything else differ.
        public var random: UInt8
        public var identifier: STSTokenIdentifier
        public var amount: STSAmount

        public init(service: Service = .electricity, random: UInt8 = .random(in: 0...15), identifier: STSTokenIdentifier, amount: STSAmount) {
            (self.service, self.random, self.identifier, self.amount) = (service, random, identifier, amount)
        }
    }

    public struct KeyChangeFirst: Sendable, Hashable {
        /// High 4 bits of the new key expiry number (KENHO).
        public var keyExpiryHigh: UInt8
        public var keyRevision: UInt8
        /// Set for a base date change: the meter then forgets the identifiers it has seen.
        public var rollover: Bool
        public var keyType: UInt8
        public var newKeyHigh: UInt32
    }

    public struct KeyChangeSecond: Sendable, Hashable {
        /// Low 4 bits of the new key expiry number (KENLO).
        public var keyExpiryLow: UInt8
        public var tariffIndex: UInt8
        public var newKeyLow: UInt32
    }

    /// The pair that moves a meter to `newKey`, both to be encoded with the meter's current key. A key expiry
    /// number of 255 never expires; `rollover` marks the move to a new base date.
    public static func keyChange(
        to newKey: STSDecoderKey, keyType: UInt8, keyRevision: UInt8, tariffIndex: UInt8, keyExpiry: UInt8 = 0xFF, rollover: Bool
    ) -> (first: STSToken, second: STSToken) {
        let first = KeyChangeFirst(
            keyExpiryHigh: keyExpiry >> 4, keyRevision: keyRevision, rollover: rollover, keyType: keyType,
            newKeyHigh: UInt32(newKey.value >> 32))
        let second = KeyChangeSecond(keyExpiryLow: keyExpiry & 0xF, tariffIndex: tariffIndex, newKeyLow: UInt32(truncatingIfNeeded: newKey.value))
        return (.keyChangeFirst(first), .keyChangeSecond(second))
    }

    /// The 20 digits for the meter holding `key`.
    public func digits(with key: STSDecoderKey) throws(STSError) -> String {
        let (tokenClass, fields) = try layout()
        return Self.encode(tokenClass: tokenClass, fields: fields, key: key)
    }

    /// Reads a token typed for the meter holding `key`; spaces and dashes between digit groups are ignored.
    public init(digits: String, key: STSDecoderKey) throws(STSError) {
        let (tokenClass, fields) = try Self.decode(digits, key: key)
        let subclass = fields >> 44
        func bits(_ from: UInt64, _ count: UInt64) -> UInt64 { fields >> from & (1 << count - 1) }
        switch (tokenClass, subclass) {
        case (0, 0...3):
            self = .credit(
                Credit(
                    service: Credit.Service(rawValue: UInt8(subclass))!, random: UInt8(bits(40, 4)),
                    identifier: try STSTokenIdentifier(minutes: UInt32(bits(16, 24))), amount: STSAmount(encoded: UInt16(bits(0, 16)))))
        case (2, 3):
            self = .keyChangeFirst(
                KeyChangeFirst(
                    keyExpiryHigh: UInt8(bits(40, 4)), keyRevision: UInt8(bits(36, 4)), rollover: bits(35, 1) == 1,
                    keyType: UInt8(bits(32, 2)), newKeyHigh: UInt32(bits(0, 32))))
        case (2, 4):
            self = .keyChangeSecond(
                KeyChangeSecond(keyExpiryLow: UInt8(bits(40, 4)), tariffIndex: UInt8(bits(32, 8)), newKeyLow: UInt32(bits(0, 32))))
        default: throw .unsupportedToken
        }
    }

    /// The class and the 48 data bits above the CRC, after checking each field fits its width.
    private func layout() throws(STSError) -> (UInt64, UInt64) {
        switch self {
        case .credit(let credit):
            guard credit.random <= 15 else { throw .fieldOutOfRange("The random number is from 0 to 15.") }
            return (
                0,
                UInt64(credit.amount.encoded) | UInt64(credit.identifier.minutes) << 16 | UInt64(credit.random) << 40
                    | UInt64(credit.service.rawValue) << 44
            )
        case .keyChangeFirst(let first):
            guard first.keyExpiryHigh <= 15, (1...9).contains(first.keyRevision), first.keyType <= 3 else {
                throw .fieldOutOfRange("A key change carries a key expiry number up to 255, a key revision 1–9 and a key type 0–3.")
            }
            return (
                2,
                UInt64(first.newKeyHigh) | UInt64(first.keyType) << 32 | (first.rollover ? 1 << 35 : 0) | UInt64(first.keyRevision) << 36
                    | UInt64(first.keyExpiryHigh) << 40 | 3 << 44
            )
        case .keyChangeSecond(let second):
            guard second.keyExpiryLow <= 15, second.tariffIndex <= 99 else {
                throw .fieldOutOfRange("A key change carries a key expiry number up to 255 and a tariff index 0–99.")
            }
            return (2, UInt64(second.newKeyLow) | UInt64(second.tariffIndex) << 32 | UInt64(second.keyExpiryLow) << 40 | 4 << 44)
        }
    }

    /// Adds the CRC, encrypts (class 1 alone travels in clear) and moves the two class bits into bits 27–28,
    /// the two ciphertext bits they displace going on top: the 66-bit number, in decimal.
    static func encode(tokenClass: UInt64, fields: UInt64, key: STSDecoderKey) -> String {
        let block = fields << 16 | UInt64(STSCRC.checksum(fields | tokenClass << 48))
        let cipher = tokenClass == 1 ? block : EA07.encrypt(block, with: key)
        let number = UInt128(cipher >> 27 & 3) << 64 | UInt128(cipher & ~(3 << 27) | tokenClass << 27)
        let text = String(number)
        return String(repeating: "0", count: 20 - text.count) + text
    }

    static func decode(_ digits: String, key: STSDecoderKey) throws(STSError) -> (tokenClass: UInt64, fields: UInt64) {
        let compact = digits.filter { $0 != " " && $0 != "-" }
        guard compact.allSatisfy(\.isASCIIDigit) else { throw .tokenNotDigits }
        guard compact.count == 20 else { throw .tokenLength }
        guard let number = UInt128(compact), number >> 66 == 0 else { throw .tokenOutOfRange }
        let low = UInt64(truncatingIfNeeded: number)
        let tokenClass = low >> 27 & 3
        let cipher = low & ~(3 << 27) | UInt64(truncatingIfNeeded: number >> 64) << 27
        let block = tokenClass == 1 ? cipher : EA07.decrypt(cipher, with: key)
        guard STSCRC.checksum(block >> 16 | tokenClass << 48) == UInt16(truncatingIfNeeded: block) else { throw .notForThisMeter }
        return (tokenClass, block >> 16)
    }
}
