import Mustache

/// swift-mustache's HTML escaping, byte by byte instead of a dictionary lookup per `Character`
/// (which hashed every character of every value: a large share of rendering in profiles). The
/// same five characters become the same entities; text without them is returned as it is.
struct HTMLEscaping: MustacheContentType {
    /// Templates that start with `{{%CONTENT_TYPE:HTML}}` use this one; registering it again
    /// changes nothing.
    static func register() {
        MustacheContentTypes.register(HTMLEscaping(), named: "HTML")
    }

    func escapeText(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            guard let first = bytes.firstIndex(where: Self.isSpecial) else { return nil }
            var escaped = [UInt8]()
            escaped.reserveCapacity(bytes.count + 16)
            escaped.append(contentsOf: bytes[..<first])
            for byte in bytes[first...] {
                switch byte {
                case UInt8(ascii: "<"): escaped.append(contentsOf: "&lt;".utf8)
                case UInt8(ascii: ">"): escaped.append(contentsOf: "&gt;".utf8)
                case UInt8(ascii: "&"): escaped.append(contentsOf: "&amp;".utf8)
                case UInt8(ascii: "\""): escaped.append(contentsOf: "&quot;".utf8)
                case UInt8(ascii: "'"): escaped.append(contentsOf: "&#39;".utf8)
                default: escaped.append(byte)
                }
            }
            return String(decoding: escaped, as: UTF8.self)
        } ?? text
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "\"")
            || byte == UInt8(ascii: "'")
    }
}
