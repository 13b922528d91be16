/// EA07, the Standard Transfer Algorithm of IEC 62055-41: 16 rounds of key-selected 4-bit substitution and a
/// fixed 64-bit permutation. Bit 0 is the least significant bit of the block and of the key word.
public enum EA07 {
    public static func encrypt(_ block: UInt64, with key: STSDecoderKey) -> UInt64 {
        var data = block
        var roundKey = firstRoundKey(key)
        for _ in 0..<16 {
            data = permute(substitute(data, roundKey, first, second), forward)
            roundKey = roundKey.rotatedLeft(1)
        }
        return data
    }

    /// Runs the rounds backwards: each round key is the encryption one, so the same key bit picks the box.
    public static func decrypt(_ block: UInt64, with key: STSDecoderKey) -> UInt64 {
        var data = block
        var roundKey = firstRoundKey(key).rotatedLeft(15)
        for _ in 0..<16 {
            data = substitute(permute(data, backward), roundKey, firstInverse, secondInverse)
            roundKey = roundKey.rotatedLeft(63)
        }
        return data
    }

    /// The standard starts from the complemented key rotated right by 12 bits.
    private static func firstRoundKey(_ key: STSDecoderKey) -> UInt64 { (~key.value).rotatedLeft(52) }

    /// Nibble i goes through the second box when bit 4i+3 of the round key is set.
    private static func substitute(_ data: UInt64, _ key: UInt64, _ box0: [UInt64], _ box1: [UInt64]) -> UInt64 {
        var out: UInt64 = 0
        for nibble in 0..<16 {
            let shift = UInt64(nibble * 4)
            let box = (key >> (shift + 3)) & 1 == 0 ? box0 : box1
            out |= box[Int((data >> shift) & 0xF)] << shift
        }
        return out
    }

    /// Input bit i moves to output bit `table[i]`.
    private static func permute(_ data: UInt64, _ table: [UInt64]) -> UInt64 {
        var out: UInt64 = 0
        for bit in 0..<64 { out |= ((data >> UInt64(bit)) & 1) << table[bit] }
        return out
    }

    private static func inverse(_ table: [UInt64]) -> [UInt64] {
        var result = [UInt64](repeating: 0, count: table.count)
        for (index, value) in table.enumerated() { result[Int(value)] = UInt64(index) }
        return result
    }

    private static let first: [UInt64] = [14, 10, 7, 9, 12, 3, 2, 5, 13, 0, 15, 1, 4, 8, 6, 11]
    private static let second: [UInt64] = [12, 8, 2, 13, 7, 6, 1, 3, 11, 5, 9, 15, 0, 4, 10, 14]
    private static let forward: [UInt64] = [
        55, 42, 10, 18, 24, 21, 44, 35, 2, 22, 56, 43, 27, 58, 9, 50, 6, 36, 12, 61, 37, 38, 53, 16, 62, 3, 7, 4, 32, 20, 63, 25,
        51, 52, 54, 33, 49, 19, 46, 29, 48, 31, 23, 30, 41, 28, 13, 5, 40, 60, 39, 11, 15, 17, 1, 0, 57, 34, 59, 8, 47, 14, 45, 26,
    ]
    private static let firstInverse = inverse(first)
    private static let secondInverse = inverse(second)
    private static let backward = inverse(forward)
}

extension UInt64 {
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 { count == 0 ? self : self << count | self >> (64 - count) }
}
