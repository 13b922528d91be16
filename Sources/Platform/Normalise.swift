/// Normalises what people type into forms: names, mobiles, account numbers, emails.
public enum Normalise {
    /// Trims and folds inner whitespace runs into single spaces; nil when empty.
    public static func text(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let folded = raw.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return folded.isEmpty ? nil : folded
    }

    /// An E.164 mobile number (`+447700900123`) from what people type: spaces, dashes, dots,
    /// brackets and a leading 00 are accepted; a number without its country code is not.
    public static func mobile(_ raw: String?) -> String? {
        guard var text = raw?.filter({ !" -.()\u{00A0}".contains($0) }), !text.isEmpty else { return nil }
        if text.hasPrefix("00") { text = "+" + text.dropFirst(2) }
        guard text.wholeMatch(of: /\+[1-9][0-9]{7,14}/) != nil else { return nil }
        return text
    }

    /// Digits only: account numbers are printed in groups on the bill.
    public static func accountNumber(_ raw: String?) -> String? {
        guard let text = raw?.filter({ !" -".contains($0) }), text.wholeMatch(of: /[0-9]{6,16}/) != nil else { return nil }
        return text
    }

    public static func email(_ raw: String?) -> String? {
        guard let text = self.text(raw), !text.contains(" "), text.utf8.count <= 254,
            text.wholeMatch(of: /[^@]+@[^@]+\.[^@]+/) != nil
        else { return nil }
        return text
    }

    public static func isValidUsername(_ text: String) -> Bool {
        text.wholeMatch(of: /[A-Za-z0-9._-]{3,32}/) != nil
    }
}
