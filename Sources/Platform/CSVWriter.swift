/// CSV as spreadsheets read it: every field quoted, quotes doubled, CRLF line ends, and a field
/// that starts like a formula (=, +, -, @) prefixed with ' so that it stays text (CSV injection).
public enum CSVWriter {
    public static func field(_ text: String) -> String {
        var out = "\""
        if let first = text.utf8.first, "=+-@".utf8.contains(first) { out += "'" }
        // Most fields hold no quote: they are copied as they are (an export can be a million rows).
        out += text.utf8.contains(UInt8(ascii: "\"")) ? text.replacingOccurrences(of: "\"", with: "\"\"") : text
        out += "\""
        return out
    }

    /// A header line (column names of our own, written plain) and the rows, ready to send.
    public static func document(header: [String], rows: [[String]]) -> String {
        var out = header.joined(separator: ",") + "\r\n"
        for row in rows {
            for (index, text) in row.enumerated() {
                if index > 0 { out += "," }
                out += field(text)
            }
            out += "\r\n"
        }
        return out
    }
}
