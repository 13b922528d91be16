/// The 16-bit amount of a credit token: a 2-bit decimal exponent over a 14-bit mantissa, counting tenths of
/// a unit (0.1 kWh for electricity). Exponent e adds 16384·10^(k-1) tenths for each k in 1...e, so every
/// count up to 16383 tenths is exact and larger ones are coarser, up to 1 820 162.4 units.
public struct STSAmount: Sendable, Hashable {
    public static let maximumTenths = 18_201_624
    public let encoded: UInt16

    public init(encoded: UInt16) { self.encoded = encoded }

    /// The smallest encodable amount not below `tenths`: the standard rounds up, in the customer's favour.
    public init(roundingUp tenths: Int) throws(STSError) {
        guard (0...Self.maximumTenths).contains(tenths) else { throw .amountOutOfRange }
        for exponent in 0...3 {
            let excess = tenths - Self.offset[exponent]
            let step = Self.step[exponent]
            let mantissa = max(0, (excess + step - 1) / step)
            if mantissa <= 0x3FFF {
                encoded = UInt16(exponent << 14 | mantissa)
                return
            }
        }
        throw .amountOutOfRange
    }

    public var tenths: Int { Self.offset[Int(encoded >> 14)] + Int(encoded & 0x3FFF) * Self.step[Int(encoded >> 14)] }

    private static let step = [1, 10, 100, 1000]
    private static let offset = [0, 16_384, 180_224, 1_818_624]
}
