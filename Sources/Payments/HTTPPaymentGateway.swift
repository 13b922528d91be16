import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Platform

/// A payment gateway reached over HTTP (BL-5), with the signature scheme every gateway callback
/// here uses. Its API, at `baseURL`, with the key as a bearer token:
/// - `POST /checkouts` with `{"amount","currency","description","return_url","webhook_url"}`
///   answers `{"id","url"}`: the hosted page to send the consumer to;
/// - `GET /checkouts/{id}` answers `{"id","status"}` (open, pending, succeeded, declined, reversed).
public struct HTTPPaymentGateway: PaymentGateway {
    public let name = "http"
    let baseURL: String
    let apiKey: String
    let signature: WebhookSignature
    let client: HTTPClient
    /// How long a call may take, connecting included (a refused connection is retried until then).
    let timeout: TimeAmount

    public init(baseURL: String, apiKey: String, webhookSecret: [UInt8], client: HTTPClient = .shared, timeout: TimeAmount = .seconds(10)) {
        self.timeout = timeout
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.signature = WebhookSignature(secret: webhookSecret)
        self.client = client
    }

    /// RFC 3986's unreserved characters: a checkout id such as `co_1` stays as it is in the path.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// The gateway answered, but not with what its API promises.
    public struct Unavailable: Error, CustomStringConvertible {
        public let detail: String
        public var description: String { "The payment gateway did not answer as expected: \(detail)" }
    }

    struct NewCheckout: Encodable {
        let amount: Int64
        let currency: String
        let description: String
        let returnURL: String
        let webhookURL: String

        enum CodingKeys: String, CodingKey {
            case amount, currency, description
            case returnURL = "return_url"
            case webhookURL = "webhook_url"
        }
    }

    struct CheckoutAnswer: Decodable {
        let id: String
        let url: String?
        let status: String?
    }

    public func createCheckout(_ request: CheckoutRequest) async throws -> Checkout {
        let body = try JSONEncoder().encode(
            NewCheckout(
                amount: request.amount.minorUnits, currency: request.currency.code, description: request.description,
                returnURL: request.returnURL, webhookURL: request.webhookURL))
        let answer = try await call(.POST, "/checkouts", body: Array(body))
        guard let url = answer.url, url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw Unavailable(detail: "no checkout URL")
        }
        return Checkout(id: answer.id, url: url)
    }

    public func verifyCallback(body: [UInt8], signature header: String?, at now: Date) throws -> GatewayEvent {
        try signature.verify(body: body, header: header, at: now)
        guard let event = try? JSONDecoder().decode(GatewayEvent.self, from: Data(body)) else { throw CallbackRefused.unreadable }
        return event
    }

    public func lookUp(checkoutID: String) async throws -> CheckoutStatus {
        let encoded = checkoutID.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? checkoutID
        let answer = try await call(.GET, "/checkouts/\(encoded)", body: nil)
        guard let status = answer.status.flatMap(CheckoutStatus.init(rawValue:)) else { throw Unavailable(detail: "no status") }
        return status
    }

    private func call(_ method: HTTPMethod, _ path: String, body: [UInt8]?) async throws -> CheckoutAnswer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: timeout)
        let data = try await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(response.status.code) else { throw Unavailable(detail: "HTTP \(response.status.code)") }
        guard let answer = try? JSONDecoder().decode(CheckoutAnswer.self, from: Data(data.readableBytesView)) else {
            throw Unavailable(detail: "an answer that is not a checkout")
        }
        return answer
    }
}
