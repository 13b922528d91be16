import Foundation
import Hummingbird

/// JSON answers to machines (a gateway's callbacks, a bridge's calls): a body, or an RFC 9457
/// problem with a detail a person reading the peer's log can act on.
enum ProblemResponse {
    static func make(_ status: HTTPResponse.Status, _ detail: String) -> Response {
        let object: [String: Any] = ["title": status.reasonPhrase, "status": Int(status.code), "detail": detail]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return json(status, data, type: "application/problem+json")
    }

    static func json(_ status: HTTPResponse.Status, _ body: Data, type: String = "application/json") -> Response {
        Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
