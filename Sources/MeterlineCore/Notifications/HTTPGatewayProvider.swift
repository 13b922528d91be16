import AsyncHTTPClient
import Foundation
import NIOCore

/// Delivers through a utility's own SMS/email gateway: POSTs the notification as JSON to a
/// configured URL, signed so the gateway can tell it came from us and is fresh:
/// `X-Meterline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
public struct HTTPGatewayProvider: NotificationProvider {
    public let name = "http"
    let url: String
    let secret: [UInt8]
    let client: HTTPClient
    let timeout: TimeAmount

    public init(url: String, secret: String, client: HTTPClient, timeout: TimeAmount = .seconds(10)) {
        self.url = url
        self.secret = Array(secret.utf8)
        self.client = client
        self.timeout = timeout
    }

    struct Payload: Codable, Equatable {
        let id: Int64
        let channel: String
        let to: String
        let subject: String?
        let body: String
        let purpose: String
    }

    public struct Refused: Error, CustomStringConvertible {
        public let status: UInt
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

    static func signature(body: [UInt8], timestamp: String, secret: [UInt8]) -> String {
        "t=\(timestamp),v1=" + Hex.encode(Digest.hmacSHA256(key: secret, message: Array((timestamp + ".").utf8) + body))
    }
}
