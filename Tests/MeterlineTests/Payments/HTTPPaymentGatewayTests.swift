import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import Payments
@testable import Platform

/// BL-5: a real gateway behind the same protocol, talking to an HTTP server that answers as a
/// gateway's API does.
@Suite("HTTP payment gateway (BL-5)")
struct HTTPPaymentGatewayTests {
    static let secret = Array("a gateway's webhook secret, thirty-two+".utf8)

    /// A gateway API on a free port: checks the key, stores checkouts, answers their status.
    static func withGatewayAPI(_ body: @escaping @Sendable (String) async throws -> Void) async throws {
        let checkouts = Mutex<[String: String]>([:])
        let router = Router()
        router.post("/api/checkouts") { request, context -> Response in
            guard request.headers[.authorization] == "Bearer key-123" else { return Response(status: .unauthorized) }
            var request = request
            let body = try await request.collectBody(upTo: 65536)
            let fields = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] ?? [:]
            guard (fields["amount"] as? Int) ?? 0 > 0, fields["currency"] as? String == "GBP", fields["webhook_url"] is String else {
                return Response(status: .badRequest)
            }
            let id = "co_\(checkouts.withLock { $0.count + 1 })"
            checkouts.withLock { $0[id] = "open" }
            return Response(
                status: .created, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"id":"\#(id)","url":"https://pay.example/\#(id)"}"#)))
        }
        router.get("/api/checkouts/:id") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard let status = checkouts.withLock({ $0[id] }) else { return Response(status: .notFound) }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"id":"\#(id)","status":"\#(status)"}"#)))
        }
        try await Application(router: router).test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)/api")
        }
    }

    static let request = CheckoutRequest(
        amount: Money(minorUnits: 4250), currency: .poundSterling, description: "Account 100200300",
        returnURL: "https://portal.example/account/payments/1", webhookURL: "https://portal.example/payments/webhook")

    @Test("a checkout is opened with the API key and looked up; a callback is verified with the shared secret")
    func checkoutAndCallback() async throws {
        try await Self.withGatewayAPI { url in
            let gateway = HTTPPaymentGateway(baseURL: url, apiKey: "key-123", webhookSecret: Self.secret)
            let checkout = try await gateway.createCheckout(Self.request)
            #expect(checkout == Payments.Checkout(id: "co_1", url: "https://pay.example/co_1"))
            #expect(try await gateway.lookUp(checkoutID: "co_1") == .open)
            await #expect(throws: HTTPPaymentGateway.Unavailable.self) { try await gateway.lookUp(checkoutID: "co_404") }

            let event = GatewayEvent(id: "evt_9", type: .succeeded, checkout: "co_1", amount: 4250, currency: "GBP", created: 1)
            let body = Array(try JSONEncoder().encode(event))
            let now = Date()
            let header = WebhookSignature(secret: Self.secret).sign(body: body, at: now)
            #expect(try gateway.verifyCallback(body: body, signature: header, at: now) == event)
            #expect(throws: CallbackRefused.badSignature) { try gateway.verifyCallback(body: body + [0x20], signature: header, at: now) }
        }
    }

    @Test("a wrong key or an unreachable gateway is an error, never a checkout")
    func failuresAreErrors() async throws {
        try await Self.withGatewayAPI { url in
            let wrongKey = HTTPPaymentGateway(baseURL: url, apiKey: "key-999", webhookSecret: Self.secret)
            await #expect(throws: HTTPPaymentGateway.Unavailable.self) { try await wrongKey.createCheckout(Self.request) }
        }
        let nowhere = HTTPPaymentGateway(baseURL: "http://127.0.0.1:9/api", apiKey: "key-123", webhookSecret: Self.secret, timeout: .seconds(1))
        await #expect(throws: (any Error).self) { try await nowhere.createCheckout(Self.request) }
    }
}
