import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import Payments
@testable import Platform

/// BL-5: the sandbox gateway calls back as real gateways do: signed, and retried with growing
/// waits while the receiver does not answer 2xx, for up to three days.
@Suite("Sandbox gateway webhooks (BL-5)")
struct SandboxWebhooksTests {
    static let secret = Array("the sandbox gateway's test secret, 32+ chars".utf8)

    /// What a receiver got: each body and its signature header.
    final class Received: Sendable {
        let posts = Mutex<[(String, String)]>([])
        func withLock<T>(_ body: (inout [(String, String)]) -> T) -> T { posts.withLock { body(&$0) } }
    }

    /// A receiver that answers 503 to the first `failures` posts, then 200; it keeps what it got.
    static func withReceiver(failures: Int, _ body: @escaping @Sendable (String, Received) async throws -> Void) async throws {
        let received = Received()
        let router = Router()
        router.post("/hook") { request, context -> Response in
            var request = request
            let text = String(buffer: try await request.collectBody(upTo: 65536))
            let signature = request.headers[.init(WebhookSignature.header)!] ?? ""
            let count = received.withLock {
                $0.append((text, signature))
                return $0.count
            }
            return Response(status: count <= failures ? .serviceUnavailable : .ok)
        }
        try await Application(router: router).test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)/hook", received)
        }
    }

    static func checkout(_ db: Database, webhook: String) async throws -> String {
        try await SandboxGateway(database: db, secret: secret, pageURL: { $0 }).createCheckout(
            CheckoutRequest(
                amount: Money(minorUnits: 2500), currency: .poundSterling, description: "Account 100200300", returnURL: "/account",
                webhookURL: webhook)
        ).id
    }

    @Test("a paid checkout's event reaches the receiver signed, and is retried with backoff until it answers 2xx")
    func retriedUntilDelivered() async throws {
        let clock = MovableClock()
        try await withTestDatabase(clock: clock) { db in
            try await Self.withReceiver(failures: 2) { url, received in
                let id = try await Self.checkout(db, webhook: url)
                #expect(try await SandboxCheckouts(database: db).pay(id, card: "4242 4242 4242 4242") == .succeeded)
                let webhooks = SandboxWebhooks(database: db, secret: Self.secret)
                #expect(try await webhooks.deliverDue().failed == 1)
                // Not due again yet: nothing is sent.
                #expect(try await webhooks.deliverDue() == .init())
                clock.advance(by: 10)
                #expect(try await webhooks.deliverDue().failed == 1)
                clock.advance(by: 29)
                #expect(try await webhooks.deliverDue() == .init())
                clock.advance(by: 1)
                #expect(try await webhooks.deliverDue().delivered == 1)
                clock.advance(by: 86_400)
                #expect(try await webhooks.deliverDue() == .init())

                let posts = received.withLock { $0 }
                #expect(posts.count == 3)
                // Each attempt is signed afresh, and the signature verifies against the body.
                for (body, signature) in posts {
                    let event = try JSONDecoder().decode(GatewayEvent.self, from: Data(body.utf8))
                    #expect(event.type == .succeeded)
                    #expect(event.amount == 2500)
                    let sentAt = try #require(signature.firstMatch(of: /t=([0-9]+)/).flatMap { TimeInterval(String($0.1)) })
                    try WebhookSignature(secret: Self.secret).verify(
                        body: Array(body.utf8), header: signature, at: Date(timeIntervalSince1970: sentAt))
                }
                #expect(Set(posts.map(\.0)).count == 1)
                #expect(Set(posts.map(\.1)).count == 3)
            }
        }
    }

    @Test("a receiver that never answers is given up three days after the event")
    func abandonedAfterThreeDays() async throws {
        let clock = MovableClock()
        try await withTestDatabase(clock: clock) { db in
            try await Self.withReceiver(failures: .max) { url, _ in
                let id = try await Self.checkout(db, webhook: url)
                _ = try await SandboxCheckouts(database: db).pay(id, card: SandboxCheckouts.declined)
                let webhooks = SandboxWebhooks(database: db, secret: Self.secret)
                var attempts = 0
                var abandoned = 0
                for _ in 0..<40 where abandoned == 0 {
                    let result = try await webhooks.deliverDue()
                    attempts += result.failed + result.abandoned
                    abandoned += result.abandoned
                    clock.advance(by: 8 * 3600)
                }
                #expect(abandoned == 1)
                #expect(attempts > 5)
                let row = try await db.query("SELECT abandoned_at IS NOT NULL AS gone, last_error FROM sandbox_webhooks").rows[0]
                #expect(try row.decode("gone", as: Bool.self))
                #expect(try row.decode("last_error", as: String?.self) == "HTTP 503: ")
            }
        }
    }

    @Test("the hosted page refuses cards that are not test cards and a second payment of one checkout")
    func hostedPageRefusesBadInput() async throws {
        try await withTestDatabase { db in
            let checkouts = SandboxCheckouts(database: db)
            let id = try await Self.checkout(db, webhook: "http://127.0.0.1:9/hook")
            await #expect(throws: SandboxCheckouts.Refused.cardMissing) { try await checkouts.pay(id, card: "  ") }
            await #expect(throws: SandboxCheckouts.Refused.notATestCard) { try await checkouts.pay(id, card: "5555 5555 5555 4444") }
            await #expect(throws: SandboxCheckouts.Refused.notPaid) { try await checkouts.chargeBack(id) }
            _ = try await checkouts.pay(id, card: SandboxCheckouts.succeeds)
            await #expect(throws: SandboxCheckouts.Refused.alreadyPaid(.succeeded)) { try await checkouts.pay(id, card: SandboxCheckouts.succeeds) }
            await #expect(throws: NotFound.self) { try await checkouts.pay("chk_doesnotexist0000000", card: SandboxCheckouts.succeeds) }
        }
    }
}
