import Foundation
import Hummingbird
import HummingbirdTesting

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

/// Drives the app like a browser: keeps cookies, and posts forms with the CSRF token of the
/// last page it loaded.
final class TestBrowser: @unchecked Sendable {
    let client: any TestClientProtocol
    let userAgent: String?
    private(set) var cookies: [String: String] = [:]
    private(set) var lastPage = ""

    init(_ client: any TestClientProtocol, userAgent: String? = nil) {
        self.client = client
        self.userAgent = userAgent
    }

    @discardableResult
    func get(_ uri: String) async throws -> TestResponse {
        let response = try await client.execute(uri: uri, method: .get, headers: cookieHeader())
        remember(response)
        return response
    }

    /// Posts `fields` URL-encoded, adding the CSRF token from the last page.
    @discardableResult
    func post(_ uri: String, _ fields: [(String, String)] = [], headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var all = fields
        if let token = csrfToken { all.append(("_csrf", token)) }
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers = cookieHeader()
        headers.append(contentsOf: extra)
        headers[.contentType] = "application/x-www-form-urlencoded"
        let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    /// Posts a multipart form with one file, as a browser uploads it; the CSRF token goes as a field.
    @discardableResult
    func postFile(
        _ uri: String, field: String = "file", fileName: String, content: String, fields: [(String, String)] = [], withToken: Bool = true
    ) async throws -> TestResponse {
        let boundary = "----MeterlineTestBoundary7MA4YWxkTrZu0gW"
        var all = fields
        if withToken, let token = csrfToken { all.append(("_csrf", token)) }
        var body = ""
        for (name, value) in all {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(fileName)\"\r\nContent-Type: text/csv\r\n\r\n"
        body += content + "\r\n--\(boundary)--\r\n"
        var headers = cookieHeader()
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    /// Posts raw bytes as a form body, for malformed input.
    func postRaw(_ uri: String, body: [UInt8]) async throws -> TestResponse {
        var headers = cookieHeader()
        headers[.contentType] = "application/x-www-form-urlencoded"
        if let token = csrfToken { headers[.init("X-CSRF-Token")!] = token }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    var csrfToken: String? {
        lastPage.firstMatch(of: /name="_csrf" value="([^"]+)"/).map { String($0.1) }
    }

    /// The headers every request carries: cookies and the browser's name.
    private func cookieHeader() -> HTTPFields {
        var headers = HTTPFields()
        if let userAgent { headers[.userAgent] = userAgent }
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        return headers
    }

    private func remember(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[1].isEmpty || header.contains("Max-Age=0") { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
        }
        if response.headers[.contentType]?.hasPrefix("text/html") == true { lastPage = response.text }
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

/// The newest code texted to `mobile`, read from the outbox as the dev inbox shows it.
func lastCode(sentTo mobile: String, in db: Database) async throws -> String? {
    let body: String? = try await db.query(
        "SELECT body FROM notifications WHERE recipient = $1 ORDER BY id DESC LIMIT 1", [mobile]
    ).rows.first?.decode("body")
    return body?.firstMatch(of: /\b([0-9]{6})\b/).map { String($0.1) }
}
