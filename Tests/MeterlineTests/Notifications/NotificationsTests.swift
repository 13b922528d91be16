import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

/// A real HTTP gateway on a local port: it checks each request's signature and records what
/// arrived. `failuresFirst` answers 503 that many times before accepting.
final class LocalGateway: Sendable {
    struct Received: Sendable {
        let payload: HTTPGatewayProvider.Payload
        let signatureValid: Bool
        let idempotencyKey: String?
    }

    let secret = "a-gateway-secret-of-at-least-32-characters"
    let received = Mutex<[Received]>([])
    let failuresLeft: Mutex<Int>

    init(failuresFirst: Int = 0) {
        failuresLeft = Mutex(failuresFirst)
    }

    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/messages") { request, _ -> HTTPResponse.Status in
            let bytes = Array(buffer: try await request.body.collect(upTo: 1 << 20))
            let header = request.headers[.init("X-Meterline-Signature")!] ?? ""
            let timestamp = header.split(separator: ",").first.map { String($0.dropFirst(2)) } ?? ""
            let valid = header == HTTPGatewayProvider.signature(body: bytes, timestamp: timestamp, secret: Array(self.secret.utf8))
            let shouldFail = self.failuresLeft.withLock { left -> Bool in
                guard left > 0 else { return false }
                left -= 1
                return true
            }
            if shouldFail { return .serviceUnavailable }
            let payload = try JSONDecoder().decode(HTTPGatewayProvider.Payload.self, from: Data(bytes))
            self.received.withLock {
                $0.append(Received(payload: payload, signatureValid: valid, idempotencyKey: request.headers[.init("Idempotency-Key")!]))
            }
            return .accepted
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in try await body("http://127.0.0.1:\(client.port!)/messages") }
    }
}

@Suite("Notifications outbox and delivery (NT-1)")
struct NotificationsTests {
    let logger = Logger(label: "test")

    func statuses(_ db: Database) async throws -> [String] {
        try await db.query("SELECT status FROM notifications ORDER BY id").rows.map { try $0.decode("status") }
    }

    @Test("a notification written in a transaction that fails is never sent")
    func outboxIsTransactional() async throws {
        struct Abandoned: Error {}
        try await withTestDatabase { (db: Database) async throws in
            await #expect(throws: Abandoned.self) {
                try await db.transaction { connection in
                    try Outbox.enqueue(on: connection, channel: .sms, to: "+447700900123", body: "Your code is 123456", purpose: "login_code")
                    throw Abandoned()
                }
            }
            #expect(try await db.query("SELECT * FROM notifications").rows.isEmpty)
        }
    }

    @Test("the outbox refuses what cannot be delivered: an empty body, a subject on an SMS, an unknown channel")
    func outboxConstraints() async throws {
        try await withTestDatabase { (db: Database) async throws in
            await #expect(throws: DatabaseError.self) {
                try await db.withConnection { try Outbox.enqueue(on: $0, channel: .sms, to: "+447700900123", body: "", purpose: "login_code") }
            }
            await #expect(throws: DatabaseError.self) {
                try await db.withConnection {
                    try Outbox.enqueue(on: $0, channel: .sms, to: "+447700900123", subject: "Hi", body: "x", purpose: "login_code")
                }
            }
            let error = await #expect(throws: DatabaseError.self) {
                try await db.query("INSERT INTO notifications (channel, recipient, body, purpose) VALUES ('fax', 'x@y.z', 'b', 'p_q')")
            }
            #expect(error?.isCheckViolation == true)
        }
    }

    @Test("the development inbox delivers each queued message once")
    func devInboxDeliversOnce() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await db.withConnection { connection in
                for n in 1...3 {
                    try Outbox.enqueue(on: connection, channel: .sms, to: "+44770090000\(n)", body: "Your code is 00000\(n)", purpose: "login_code")
                }
            }
            let worker = DeliveryWorker(database: db, provider: DevInboxProvider(), logger: logger)
            #expect(try await worker.deliverDue() == 3)
            #expect(try await worker.deliverDue() == 0)
            #expect(try await statuses(db) == ["sent", "sent", "sent"])
            let provider = try await db.query("SELECT DISTINCT provider FROM notifications").rows.map { try $0.decode(0, as: String.self) }
            #expect(provider == ["dev-inbox"])
        }
    }

    @Test("the HTTP gateway receives signed JSON with the recipient and body, and an idempotency key")
    func httpGatewayDelivery() async throws {
        let gateway = LocalGateway()
        try await withTestDatabase { (db: Database) async throws in
            try await gateway.run { url in
                let id = try await db.withConnection {
                    try Outbox.enqueue(
                        on: $0, channel: .email, to: "ana@example.org", subject: "Your bill", body: "Bill for October: 42.10", purpose: "bill_issued")
                }
                let provider = HTTPGatewayProvider(url: url, secret: gateway.secret, client: .shared)
                let worker = DeliveryWorker(database: db, provider: provider, logger: logger)
                #expect(try await worker.deliverDue() == 1)
                let received = gateway.received.withLock { $0 }
                #expect(received.count == 1)
                #expect(received.first?.signatureValid == true)
                #expect(
                    received.first?.payload
                        == .init(
                            id: id, channel: "email", to: "ana@example.org", subject: "Your bill", body: "Bill for October: 42.10",
                            purpose: "bill_issued"))
                #expect(received.first?.idempotencyKey == "notification-\(id)")
                #expect(try await statuses(db) == ["sent"])
            }
        }
    }

    @Test("a gateway that fails is retried later with backoff, and a message that keeps failing is given up")
    func retriesThenGivesUp() async throws {
        let gateway = LocalGateway(failuresFirst: 100)
        try await withTestDatabase { (db: Database) async throws in
            try await gateway.run { url in
                try await db.withConnection {
                    try Outbox.enqueue(on: $0, channel: .sms, to: "+447700900123", body: "Outage notice", purpose: "outage_notice")
                }
                let provider = HTTPGatewayProvider(url: url, secret: gateway.secret, client: .shared)
                let worker = DeliveryWorker(database: db, provider: provider, logger: logger, maxAttempts: 3)
                #expect(try await worker.deliverDue() == 1)
                let row = try await db.query(
                    "SELECT status, attempts, last_error, next_attempt_at > now() AS later FROM notifications"
                ).rows[0]
                #expect(try row.decode("status", as: String.self) == "pending")
                #expect(try row.decode("attempts", as: Int.self) == 1)
                #expect(try row.decode("last_error", as: String.self).contains("503"))
                #expect(try row.decode("later", as: Bool.self))
                // Not due yet: nothing is claimed.
                #expect(try await worker.deliverDue() == 0)
                for _ in 0..<2 {
                    try await db.query("UPDATE notifications SET next_attempt_at = now()")
                    #expect(try await worker.deliverDue() == 1)
                }
                #expect(try await statuses(db) == ["failed"])
                try await db.query("UPDATE notifications SET next_attempt_at = now()")
                #expect(try await worker.deliverDue() == 0)
            }
        }
    }

    @Test("a message claimed by a server that crashed is sent when its lease runs out")
    func crashedClaimIsRetried() async throws {
        let gateway = LocalGateway()
        try await withTestDatabase { (db: Database) async throws in
            try await gateway.run { url in
                try await db.withConnection {
                    try Outbox.enqueue(on: $0, channel: .sms, to: "+447700900123", body: "Code 111111", purpose: "login_code")
                }
                // What a crash leaves behind: claimed ('sending'), never marked.
                try await db.query("UPDATE notifications SET status = 'sending', attempts = 1, next_attempt_at = now() + interval '2 minutes'")
                let worker = DeliveryWorker(
                    database: db, provider: HTTPGatewayProvider(url: url, secret: gateway.secret, client: .shared), logger: logger)
                #expect(try await worker.deliverDue() == 0)
                try await db.query("UPDATE notifications SET next_attempt_at = now() - interval '1 second'")
                #expect(try await worker.deliverDue() == 1)
                #expect(gateway.received.withLock { $0.map(\.payload.to) } == ["+447700900123"])
                #expect(try await statuses(db) == ["sent"])
            }
        }
    }

    @Test("two workers running at once send each message exactly once")
    func concurrentWorkersDoNotDoubleSend() async throws {
        let gateway = LocalGateway()
        try await withTestDatabase(poolSize: 6) { (db: Database) async throws in
            try await gateway.run { url in
                try await db.withConnection { connection in
                    for n in 0..<60 {
                        try Outbox.enqueue(
                            on: connection, channel: .sms, to: "+4477009\(String(format: "%05d", n))", body: "Message \(n)", purpose: "reminder")
                    }
                }
                let provider = HTTPGatewayProvider(url: url, secret: gateway.secret, client: .shared)
                let a = DeliveryWorker(database: db, provider: provider, logger: logger, batchSize: 7)
                let b = DeliveryWorker(database: db, provider: provider, logger: logger, batchSize: 7)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in [a, b] {
                        group.addTask { while try await worker.deliverDue() > 0 {} }
                    }
                    try await group.waitForAll()
                }
                let ids = gateway.received.withLock { $0.map(\.payload.id) }
                #expect(ids.count == 60)
                #expect(Set(ids).count == 60)
            }
        }
    }

    @Test("the development inbox page lists messages newest first, escaped")
    func devInboxPage() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await db.withConnection { connection in
                try Outbox.enqueue(on: connection, channel: .sms, to: "+447700900001", body: "First: code 123456", purpose: "registration_code")
                try Outbox.enqueue(
                    on: connection, channel: .email, to: "x@example.org", subject: "<b>Hi</b>",
                    body: "Second <script> http://127.0.0.1:8080/login/link?token=a\"b<i> end", purpose: "login_link")
            }
            let app = try TestApp.application(services: try await TestApp.services(database: db))
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/dev/inbox", method: .get)
                #expect(response.status == .ok)
                let html = response.text
                let first = try #require(html.range(of: "First: code 123456"))
                let second = try #require(html.range(of: "Second &lt;script&gt;"))
                #expect(second.lowerBound < first.lowerBound)
                #expect(!html.contains("<script>"))
                #expect(html.contains("&lt;b&gt;Hi&lt;/b&gt;"))
                // A link in an email can be opened from the inbox; the markup around it stays text.
                #expect(
                    html.contains(
                        #"<a href="http://127.0.0.1:8080/login/link?token=a">http://127.0.0.1:8080/login/link?token=a</a>&quot;b&lt;i&gt; end"#))
            }
        }
    }

    @Test("outside development mode there is no inbox page")
    func noInboxInProduction() async throws {
        try await withTestDatabase { (db: Database) async throws in
            var config = TestApp.config()
            config.developmentMode = false
            let services = try await AppServices.make(config: config, database: db, logger: logger)
            let app = try TestApp.application(services: services)
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/dev/inbox", method: .get)
                #expect(response.status == .notFound)
            }
            await services.shutdown()
        }
    }
}
