import Accounts
import Foundation
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// The files of `Public/`, read once at start and served from memory with an ETag. A URL that
/// carries the file's fingerprint (`/css/site.css?v=…`, from `url(of:)`) is cached for a year;
/// any other is revalidated after an hour, and an unchanged file answers 304 without a body.
public struct StaticFiles: RouterMiddleware, Sendable {
    public typealias Context = AppRequestContext

    struct File: Sendable {
        let body: ByteBuffer
        let contentType: String
        let fingerprint: String
    }

    let files: [String: File]

    public init(directory: String) throws {
        var files: [String: File] = [:]
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = walker?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let data = try Data(contentsOf: url)
            let path = String(url.standardizedFileURL.path.dropFirst(root.path.count))
            files[path] = File(
                body: ByteBuffer(bytes: data), contentType: Self.contentType(of: url.pathExtension),
                fingerprint: Hex.encode(Digest.sha256(Array(data)).prefix(8)))
        }
        self.files = files
    }

    /// The fingerprinted URL of a file under `Public/` (its path with a leading slash).
    public func url(of path: String) -> String {
        guard let file = files[path] else { return path }
        return path + "?v=" + file.fingerprint
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head, let file = files[request.uri.path] else {
            return try await next(request, context)
        }
        let etag = "\"\(file.fingerprint)\""
        let pinned = QueryForm(request)["v"] == file.fingerprint
        var headers: HTTPFields = [
            .eTag: etag, .cacheControl: pinned ? "public, max-age=31536000, immutable" : "public, max-age=3600",
        ]
        if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: headers) }
        headers[.contentType] = file.contentType
        headers[.contentLength] = String(file.body.readableBytes)
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: file.body))
    }

    static func contentType(of fileExtension: String) -> String {
        switch fileExtension.lowercased() {
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }
}
