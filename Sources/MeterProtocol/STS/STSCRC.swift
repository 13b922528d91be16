/// The token check: CRC-16 with polynomial x^16 + x^15 + x^2 + 1 (0x8005, processed reflected as 0xA001),
/// initial value 0xFFFF, over the class and the 48 data bits written as 7 bytes, most significant first;
/// the result's two bytes are then swapped. Reproduces the CTSA01 vectors and the STS Association's example.
enum STSCRC {
    /// `fields` holds the class in bits 48–49 and the data bits above the CRC in bits 0–47.
    static func checksum(_ fields: UInt64) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for index in stride(from: 48, through: 0, by: -8) {
            crc ^= UInt16((fields >> UInt64(index)) & 0xFF)
            for _ in 0..<8 { crc = crc & 1 == 1 ? crc >> 1 ^ 0xA001 : crc >> 1 }
        }
        return crc.byteSwapped
    }
}
