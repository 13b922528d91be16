import AsyncHTTPClient
import Foundation
import NIOCore
import Platform

/// Delivers through a utility's own SMS/email gateway: POSTs the notification as JSON to a
/// configured URL, signed so the gateway can tell it came from us and is fresh:
/// `X-Meterline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
public struct HTTPGatewayProvider: NotificationProvider {
    public let name = "http"
    public let url: String
    public let secret: [UInt8]
    public let client: HTTPClient
    public let timeout: TimeAmount

    public init(url: String, secret: String, client: HTTPClient, timeout: TimeAmount = .seconds(10)) {
        self.url = url
        self.secret = Array(secret.utf8)
        self.client = client
        self.timeout = timeout
    }

    public struct Payload: Codable, Equatable, Sendable {
        public let id: Int64
        public let channel: String
        public let to: String
        public let subject: String?
        public let body: String
        public let purpose: String

        public init(id: Int64, channel: String, to: String, subject: String?, body: String, purpose: String) {
            self.id = id
            self.channel = channel
            self.to = to
            self.subject = subject
            self.body = body
            self.purpose = purpose
        }
    }

    public struct Refused: Error, CustomStringConvertible {
        public let status: UInt

        public init(status: UInt) {
            self.status = status
        }
        public var description: String { "the gateway answered HTTP \(status)" }
    }

    public func deliver(_ notification: OutgoingNotification) async throws {
        let payload = Payload(
            id: notification.id, channel: notification.channel.rawValue, to: notification.recipient,
            subject: notification.subject, body: notification.body, purpose: notification.purpose)
        let body = try JSONEncoder().encode(payload)
        let timestamp = String(Int(Date().timeIntervalSince1970))
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Meterline-Signature", value: Self.signature(body: Array(body), timestamp: timestamp, secret: secret))
        // The gateway may see the same id twice after a crash; it can use this to send once.
        request.headers.add(name: "Idempotency-Key", value: "notification-\(notification.id)")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: timeout)
        guard (200..<300).contains(response.status.code) else { throw Refused(status: response.status.code) }
    }

    public static func signature(body: [UInt8], timestamp: String, secret: [UInt8]) -> String {
        "t=\(timestamp),v1=" + Hex.encode(Digest.hmacSHA256(key: secret, message: Array((timestamp + ".").utf8) + body))
    }
}
