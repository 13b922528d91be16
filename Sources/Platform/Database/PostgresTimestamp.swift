import Foundation

/// Reads and writes `timestamptz` text. Every connection runs with `DateStyle=ISO` and the
/// utility's time zone, so the server answers `YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM]`; this
/// writes UTC (`+00`).
public enum PostgresTimestamp {
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        var micros = Int(((seconds - Double(whole)) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            whole += 1
            micros -= 1_000_000
        }
        var parts = tm()
        gmtime_r(&whole, &parts)
        // Written digit by digit: `String(format:)` went through Foundation and showed in profiles,
        // as every statement that reads the clock formats it.
        var text: [UInt8] = []
        text.reserveCapacity(30)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                text.append(UInt8(48 + (value / divisor) % 10))
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        text.append(45)
        digits(Int(parts.tm_mon) + 1, 2)
        text.append(45)
        digits(Int(parts.tm_mday), 2)
        text.append(32)
        digits(Int(parts.tm_hour), 2)
        text.append(58)
        digits(Int(parts.tm_min), 2)
        text.append(58)
        digits(Int(parts.tm_sec), 2)
        text.append(46)
        digits(micros, 6)
        text.append(contentsOf: [43, 48, 48])
        return String(decoding: text, as: UTF8.self)
    }

    /// Accepts `timestamptz` (any offset), `timestamp` (as UTC) and `date` text.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), bytes.count >= 10, bytes[4] == 45, let month = number(5, 2),
            bytes[7] == 45, let day = number(8, 2)
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        var fraction = 0.0
        var offsetSeconds = 0
        if bytes.count > 10 {
            guard bytes.count >= 19, bytes[10] == 32 || bytes[10] == 84, let hour = number(11, 2),
                let minute = number(14, 2), let second = number(17, 2)
            else { return nil }
            parts.tm_hour = Int32(hour)
            parts.tm_min = Int32(minute)
            parts.tm_sec = Int32(second)
            var index = 19
            if index < bytes.count, bytes[index] == 46 {
                index += 1
                var scale = 0.1
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                    fraction += Double(bytes[index] - 48) * scale
                    scale /= 10
                    index += 1
                }
            }
            if index < bytes.count {
                let sign = bytes[index] == 45 ? -1 : 1
                guard bytes[index] == 43 || bytes[index] == 45, let hours = number(index + 1, 2) else { return nil }
                var minutes = 0
                if index + 3 < bytes.count, bytes[index + 3] == 58 { minutes = number(index + 4, 2) ?? 0 }
                offsetSeconds = sign * (hours * 3600 + minutes * 60)
            }
        }
        let epoch = timegm(&parts)
        return Date(timeIntervalSince1970: Double(epoch - offsetSeconds) + fraction)
    }
}
