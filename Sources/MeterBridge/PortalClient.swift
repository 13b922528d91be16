import AsyncHTTPClient
import Foundation
import MeterProtocol
import NIOCore
import NIOHTTP1
import Platform

/// The bridge's calls to the portal, each signed with the shared secret (`BridgeSignature`).
public struct PortalClient: Sendable {
    public let baseURL: String
    let signature: BridgeSignature
    let client: HTTPClient

    public init(baseURL: String, secret: [UInt8], client: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        signature = BridgeSignature(secret: secret)
        self.client = client
    }

    /// Paths on the portal, as its route table declares them.
    public enum Path {
        public static let meters = "/bridge/meters"
        public static let messages = "/bridge/messages"
        public static let status = "/bridge/status"
    }

    public struct Refused: Error, CustomStringConvertible {
        public let status: UInt
        public let detail: String
        public var description: String { "the portal answered \(status): \(detail)" }
    }

    /// The registered meters: serial, public key, the last sequence the portal stored.
    public func meters() async throws -> [(serial: String, key: Secp256k1.PublicKey, lastSequence: UInt64)] {
        let body = try await call(.GET, Path.meters, body: [])
        return String(decoding: body, as: UTF8.self).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3, let bytes = Hex.decodeKey(String(fields[1])), let key = Secp256k1.PublicKey(bytes) else { return nil }
            return (String(fields[0]), key, UInt64(fields[2]) ?? 0)
        }
    }

    /// Sends one spool segment; returns once the portal has stored it.
    public func deliver(_ lines: [UInt8]) async throws {
        _ = try await call(.POST, Path.messages, body: lines)
    }

    public func report(_ status: BridgeStatus) async throws {
        _ = try await call(.POST, Path.status, body: Array(try JSONEncoder().encode(status)))
    }

    func call(_ method: HTTPMethod, _ path: String, body: [UInt8]) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: BridgeSignature.header, value: signature.sign(method: method.rawValue, path: path, body: body, at: Date()))
        if !body.isEmpty {
            request.headers.add(
                name: "Content-Type", value: method == .POST && path == Path.messages ? "text/tab-separated-values" : "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let answer = try await response.body.collect(upTo: 64 * 1024 * 1024)
        guard (200..<300).contains(response.status.code) else {
            throw Refused(status: response.status.code, detail: String(buffer: answer).prefix(300).description)
        }
        return Array(answer.readableBytesView)
    }
}

extension Hex {
    static func decodeKey(_ text: String) -> [UInt8]? {
        guard text.utf8.count == 66 else { return nil }
        return decode(text)
    }
}
