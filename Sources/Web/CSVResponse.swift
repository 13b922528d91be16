import Hummingbird

extension Response {
    /// A CSV download (audit trail, defaulters, reports): never cached, saved under `filename`.
    static func csv(_ body: String, filename: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(filename)\"", .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
