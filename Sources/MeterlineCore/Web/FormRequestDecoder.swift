import Hummingbird

/// Decodes URL-encoded forms. Any body that cannot be read as a form (bad percent-escapes,
/// bytes that are not UTF-8) is the 400 page, never a 500.
public struct FormRequestDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        guard let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes), text.utf8.allSatisfy({ $0 != 0 })
        else { throw PageError.badRequest }
        do {
            return try URLEncodedFormDecoder().decode(T.self, from: text)
        } catch {
            throw PageError.badRequest
        }
    }
}
