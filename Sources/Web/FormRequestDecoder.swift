import Accounts
import Foundation
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// Decodes URL-encoded forms. Any body that cannot be read as a form (bad percent-escapes,
/// bytes that are not UTF-8) is the 400 page, never a 500. A NUL character, raw or as `%00`,
/// is refused here for every form: PostgreSQL cannot store it in text.
public struct FormRequestDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        guard let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes) else { throw PageError.badRequest }
        guard text.utf8.allSatisfy({ $0 != 0 }), text.range(of: "%00", options: .caseInsensitive) == nil else {
            throw PageError.nulCharacter
        }
        do {
            return try URLEncodedFormDecoder().decode(T.self, from: text)
        } catch {
            throw PageError.badRequest
        }
    }
}
