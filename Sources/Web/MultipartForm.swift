import Accounts
import Foundation
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// Reads a `multipart/form-data` body (RFC 7578), as a browser sends a form with a file field.
/// Only what the portal's upload forms need: named text parts and one file's bytes.
public struct MultipartForm: Sendable {
    public struct Part: Sendable {
        public let name: String
        public let fileName: String?
        public let data: [UInt8]
        public var text: String? { String(validating: data, as: UTF8.self) }
    }

    public let parts: [Part]

    public subscript(_ name: String) -> Part? { parts.first { $0.name == name } }

    /// Reads the request body; anything that is not a well-formed multipart body is the 400 page.
    public static func read(_ request: Request, context: some RequestContext, limit: Int) async throws -> MultipartForm {
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data"),
            let boundary = type.split(separator: ";").lazy.map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { $0.lowercased().hasPrefix("boundary=") })
                .map({ String($0.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }),
            !boundary.isEmpty, boundary.count <= 70
        else { throw PageError.badRequest }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw PageError.tooLarge
        }
        guard let form = parse(Array(buffer.readableBytesView), boundary: boundary) else { throw PageError.badRequest }
        return form
    }

    static func parse(_ body: [UInt8], boundary: String) -> MultipartForm? {
        let delimiter = Array("--\(boundary)".utf8)
        var positions = [Int]()
        var index = 0
        while let found = find(delimiter, in: body, from: index) {
            positions.append(found)
            index = found + delimiter.count
        }
        guard positions.count >= 2 else { return nil }
        var parts = [Part]()
        for (start, end) in zip(positions, positions.dropFirst()) {
            var from = start + delimiter.count
            // Each part begins with CRLF after the delimiter and ends with CRLF before the next.
            guard from + 2 <= end, body[from] == 13, body[from + 1] == 10 else { return nil }
            from += 2
            guard let headerEnd = find(Array("\r\n\r\n".utf8), in: body, from: from), headerEnd < end else { return nil }
            guard let headers = String(validating: body[from..<headerEnd], as: UTF8.self) else { return nil }
            var dataEnd = end
            if dataEnd - 2 >= headerEnd + 4, body[dataEnd - 2] == 13, body[dataEnd - 1] == 10 { dataEnd -= 2 }
            guard let disposition = headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-disposition:") }),
                let name = parameter("name", in: disposition)
            else { return nil }
            parts.append(Part(name: name, fileName: parameter("filename", in: disposition), data: Array(body[(headerEnd + 4)..<dataEnd])))
        }
        return MultipartForm(parts: parts)
    }

    private static func parameter(_ key: String, in header: Substring) -> String? {
        for piece in header.split(separator: ";") {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix("\(key)=") else { continue }
            return String(trimmed.dropFirst(key.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count, from <= haystack.count - needle.count else { return nil }
        var i = from
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == needle[0], haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
