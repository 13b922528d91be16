/// CSV as spreadsheets read it: every field quoted, quotes doubled, CRLF line ends, and a field
/// that starts like a formula (=, +, -, @) prefixed with ' so that it stays text (CSV injection).
public enum CSVWriter {
    public static func field(_ text: String) -> String {
        let safe = text.first.map { "=+-@".contains($0) } == true ? "'" + text : text
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A header line (column names of our own, written plain) and the rows, ready to send.
    public static func document(header: [String], rows: [[String]]) -> String {
        ([header.joined(separator: ",")] + rows.map { $0.map(field).joined(separator: ",") }).joined(separator: "\r\n") + "\r\n"
    }
}
