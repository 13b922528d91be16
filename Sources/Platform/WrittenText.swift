/// What people write in a text box (a dispute's reason, a complaint, an answer), fit to store:
/// line breaks as one character (a browser sends a textarea's as CRLF, and its maxlength counts
/// one), trimmed, and counted as PostgreSQL counts (code points), without NUL, which it refuses.
public enum WrittenText {
    public enum Problem: Error, Equatable {
        case tooShort
        case unstorable
        case tooLong(Int)

        /// The sentence for the field; `tooShort` is the field's own (what to write there).
        public func message(tooShort: String) -> String {
            switch self {
            case .tooShort: tooShort
            case .unstorable: "The text holds a character that cannot be stored (a NUL). Type it again."
            case .tooLong(let limit): "Keep it under \(limit.formatted()) characters."
            }
        }
    }

    public static func cleaned(_ text: String?) -> String {
        (text ?? "").replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What is wrong with cleaned `text` for a field of `range` characters, or nil.
    public static func problem(_ text: String, _ range: ClosedRange<Int>) -> Problem? {
        let count = text.unicodeScalars.count
        if count < range.lowerBound { return .tooShort }
        if text.unicodeScalars.contains("\0") { return .unstorable }
        if count > range.upperBound { return .tooLong(range.upperBound) }
        return nil
    }
}
