import MeterProtocol

/// One verified message as the bridge spools and forwards it: the fields the portal stores, then
/// the signed frame itself (the evidence), as one line of PostgreSQL's COPY text format, so the
/// portal loads a batch without decoding any JSON.
///
/// Columns: serial, sequence, kind, time, wh, dv, dbm, relay, tamper, frame.
public enum DeviceRecord {
    public static let columns = "serial, sequence, kind, time, wh, dv, dbm, relay, tamper, frame"

    public static func line(_ message: MeterMessage, frame: [UInt8]) -> String {
        var line = message.meter
        line += "\t\(message.sequence)\t\(message.kind.rawValue)\t\(message.time)\t"
        line += field(message.wattHours) + "\t" + field(message.decivolts) + "\t" + field(message.signal) + "\t"
        line += (message.relay?.rawValue ?? #"\N"#) + "\t" + (message.tamper.map { $0 ? "t" : "f" } ?? #"\N"#) + "\t"
        line += escaped(frame)
        return line + "\n"
    }

    private static func field<T: BinaryInteger>(_ value: T?) -> String {
        value.map { String($0) } ?? #"\N"#
    }

    /// COPY text escapes backslash, tab, newline and carriage return; a meter may put JSON
    /// whitespace of any kind between tokens, and the frame must stay byte for byte what it signed.
    static func escaped(_ frame: [UInt8]) -> String {
        guard frame.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
            return String(decoding: frame, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(frame.count + 8)
        for byte in frame {
            switch byte {
            case 0x5C: out += [0x5C, 0x5C]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
