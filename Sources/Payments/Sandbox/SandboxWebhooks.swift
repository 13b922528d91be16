import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Platform

/// The sandbox gateway's sender: posts each queued event to the webhook URL with a fresh
/// `Payment-Signature`, and retries with growing waits while the receiver does not answer 2xx,
/// for up to three days after the event, as real gateways do.
public struct SandboxWebhooks: Sendable {
    let database: Database
    let signature: WebhookSignature
    let client: HTTPClient

    public init(database: Database, secret: [UInt8], client: HTTPClient = .shared) {
        self.database = database
        self.signature = WebhookSignature(secret: secret)
        self.client = client
    }

    /// Waits after the first, second … failed attempt; the last one repeats.
    static let backoff: [TimeInterval] = [10, 30, 120, 600, 1800, 3600, 7200, 14400, 28800]
    static let giveUpAfter: TimeInterval = 3 * 24 * 3600

    public struct Attempts: Sendable, Equatable {
        public var delivered = 0
        public var failed = 0
        public var abandoned = 0
    }

    /// Sends what is due now. Each event is claimed first (its next attempt moved a minute on),
    /// so several senders never post one event at once.
    @discardableResult
    public func deliverDue(limit: Int = 20) async throws -> Attempts {
        let now = database.clock.now
        let claimed = try await database.query(
            """
            UPDATE sandbox_webhooks SET due_at = \(now.addingTimeInterval(60)), attempts = attempts + 1
            WHERE id IN (SELECT id FROM sandbox_webhooks WHERE delivered_at IS NULL AND abandoned_at IS NULL AND due_at <= \(now)
                         ORDER BY due_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING id, body, url, attempts, created_at
            """
        ).rows
        var attempts = Attempts()
        for row in claimed {
            let id: Int64 = try row.decode("id")
            let body: String = try row.decode("body")
            let error = await post(body: Array(body.utf8), to: try row.decode("url"))
            let sentAt = database.clock.now
            if let error {
                let count: Int = try row.decode("attempts")
                let next = sentAt.addingTimeInterval(Self.backoff[min(count, Self.backoff.count) - 1])
                let createdAt: Date = try row.decode("created_at")
                let abandon = next.timeIntervalSince(createdAt) > Self.giveUpAfter
                let abandonedAt: Date? = abandon ? sentAt : nil
                try await database.query(
                    """
                    UPDATE sandbox_webhooks SET due_at = $2, last_error = $3, abandoned_at = $4 WHERE id = $1
                    """, [id, next, String(error.prefix(500)), abandonedAt])
                if abandon { attempts.abandoned += 1 } else { attempts.failed += 1 }
            } else {
                try await database.query("UPDATE sandbox_webhooks SET delivered_at = \(sentAt), last_error = NULL WHERE id = \(id)")
                attempts.delivered += 1
            }
        }
        return attempts
    }

    /// Nil when the receiver answered 2xx; otherwise what went wrong.
    private func post(body: [UInt8], to url: String) async -> String? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: WebhookSignature.header, value: signature.sign(body: body, at: database.clock.now))
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            let answer = try await response.body.collect(upTo: 4096)
            guard (200..<300).contains(response.status.code) else {
                return "HTTP \(response.status.code): \(String(buffer: answer).prefix(200))"
            }
            return nil
        } catch {
            return "\(error)"
        }
    }
}
