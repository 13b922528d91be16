/// Decimal numbers as people type and read them, held as integers scaled by 10^fractionDigits:
/// "4.5" with 4 fraction digits is 45000. Parsed and printed by hand: no floating point ever
/// touches an amount, a rate or a percentage.
public enum DecimalText {
    /// "1,234.56", "-0.5", "12"; thousands separators are ignored, a fraction longer than
    /// `fractionDigits` is refused (never rounded away silently). A comma counts only between
    /// groups of three digits before the point: "0,12" (a decimal comma) is refused, never read
    /// as 12.
    public static func parse(_ text: String, fractionDigits: Int) -> Int64? {
        let comma = UInt8(ascii: ",")
        let spaced = Array(text.utf8.filter { $0 != UInt8(ascii: " ") })
        if spaced.contains(comma) {
            let unsigned = spaced.first == UInt8(ascii: "-") || spaced.first == UInt8(ascii: "+") ? spaced.dropFirst() : spaced[...]
            let point = unsigned.firstIndex(of: UInt8(ascii: ".")) ?? unsigned.endIndex
            let groups = unsigned[..<point].split(separator: comma, omittingEmptySubsequences: false)
            guard !unsigned[point...].contains(comma), let first = groups.first, (1...3).contains(first.count),
                groups.dropFirst().allSatisfy({ $0.count == 3 })
            else { return nil }
        }
        var bytes = spaced.filter { $0 != comma }
        var negative = false
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") {
            negative = bytes.first == UInt8(ascii: "-")
            bytes.removeFirst()
        }
        guard !bytes.isEmpty else { return nil }
        let point = bytes.firstIndex(of: UInt8(ascii: "."))
        let whole = point.map { bytes[..<$0] } ?? bytes[...]
        let fraction = point.map { bytes[($0 + 1)...] } ?? []
        guard !whole.isEmpty || !fraction.isEmpty, fraction.count <= fractionDigits else { return nil }
        var value: Int64 = 0
        for byte in whole + fraction + Array(repeating: UInt8(ascii: "0"), count: fractionDigits - fraction.count) {
            guard byte >= 48, byte <= 57 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int64(byte - 48))
            guard !o1, !o2 else { return nil }
            value = next
        }
        return negative ? -value : value
    }

    /// A whole number as pages show counts: "872,931", "−12".
    public static func grouped(_ number: Int64) -> String {
        (number < 0 ? "−" : "") + format(number.magnitude, fractionDigits: 0, grouped: true)
    }

    /// `magnitude` scaled by 10^fractionDigits as text: all fraction digits are shown
    /// ("12.50"), or only the significant ones past `minimumFractionDigits` ("4.5" for a rate).
    public static func format(
        _ magnitude: UInt64, fractionDigits: Int, minimumFractionDigits: Int? = nil, grouped: Bool = false
    ) -> String {
        var scale: UInt64 = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        var whole = String(magnitude / scale)
        if grouped {
            var groupedWhole = ""
            for (index, character) in whole.enumerated() {
                if index > 0, (whole.count - index) % 3 == 0 { groupedWhole.append(",") }
                groupedWhole.append(character)
            }
            whole = groupedWhole
        }
        guard fractionDigits > 0 else { return whole }
        var fraction = String(magnitude % scale)
        fraction = String(repeating: "0", count: fractionDigits - fraction.count) + fraction
        let keep = minimumFractionDigits ?? fractionDigits
        while fraction.count > keep, fraction.last == "0" { fraction.removeLast() }
        return fraction.isEmpty ? whole : whole + "." + fraction
    }
}
