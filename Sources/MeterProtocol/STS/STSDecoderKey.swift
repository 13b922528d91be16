/// A meter's 64-bit STS decoder key. `value` is the word EA07 reads (bit 0 least significant); `hex` prints the
/// same eight bytes least significant first, which is how the STS test vectors write decoder keys.
public struct STSDecoderKey: Sendable, Hashable {
    public let value: UInt64

    public init(value: UInt64) { self.value = value }

    public init?(hex: String) {
        guard hex.count == 16, let word = UInt64(hex, radix: 16) else { return nil }
        value = word.byteSwapped
    }

    /// Joins the halves a key change token pair carries.
    public init(newKeyHigh: UInt32, newKeyLow: UInt32) { value = UInt64(newKeyHigh) << 32 | UInt64(newKeyLow) }

    public var hex: String {
        let digits = String(value.byteSwapped, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// DKGA-02: derives the key of the meter `pan` from a 64-bit vending key (written most significant byte
    /// first). `pan` is the 18-digit meter number, IIN + IAIN + check digit; the check digit is not used.
    /// Key type 3 (common keys, which blank the IAIN) is not supported.
    public init(
        vendingKey: UInt64, keyType: Int, supplyGroupCode: String, tariffIndex: Int, keyRevision: Int, pan: String
    ) throws(STSError) {
        guard (0...2).contains(keyType) else { throw .invalidKeyParameter("The key type is 0, 1 or 2.") }
        guard supplyGroupCode.count == 6, supplyGroupCode.allSatisfy(\.isASCIIDigit) else {
            throw .invalidKeyParameter("A supply group code has 6 digits.")
        }
        guard (0...99).contains(tariffIndex) else { throw .invalidKeyParameter("A tariff index is from 00 to 99.") }
        guard (1...9).contains(keyRevision) else { throw .invalidKeyParameter("A key revision number is from 1 to 9.") }
        guard pan.count == 18, pan.allSatisfy(\.isASCIIDigit) else { throw .invalidMeterNumber }
        // Both blocks are decimal digits read as hex nibbles. The PAN block is the 16 digits between the first
        // digit and the check digit: the last 5 of a 6-digit IIN + an 11-digit IAIN, or the last 3 of "0000" + 13.
        let panBlock = UInt64(String(pan.dropFirst().dropLast()), radix: 16)!
        let tariff = tariffIndex < 10 ? "0\(tariffIndex)" : "\(tariffIndex)"
        let controlBlock = UInt64("\(keyType)\(supplyGroupCode)\(tariff)\(keyRevision)FFFFFF", radix: 16)!
        let mixed = panBlock ^ controlBlock
        value = DES.encrypt(mixed, key: vendingKey) ^ mixed ^ vendingKey
    }
}

extension Character {
    /// 0–9 only: `isNumber` alone also accepts other scripts' digits and fractions.
    public var isASCIIDigit: Bool { isASCII && isNumber }
}
