import AsyncHTTPClient
import Foundation
import MeterProtocol
import Metering
import NIOCore
import NIOHTTP1

/// The portal's calls to a bridge over HTTP, each signed with the shared secret (`BridgeSignature`).
public struct HTTPBridgeLink: BridgeLink {
    let signature: BridgeSignature
    let client: HTTPClient

    public init(secret: [UInt8], client: HTTPClient = .shared) {
        signature = BridgeSignature(secret: secret)
        self.client = client
    }

    /// Paths on a bridge.
    enum Path {
        static let commands = "/commands"
        static let readAll = "/read-all"
    }

    struct Refused: Error, CustomStringConvertible {
        let status: UInt
        var description: String { "the bridge answered \(status)" }
    }

    public func pass(_ batch: CommandBatch, to bridgeURL: String) async throws -> CommandDelivery {
        try JSONDecoder().decode(
            CommandDelivery.self, from: Data(try await post(Path.commands, Array(try JSONEncoder().encode(batch)), to: bridgeURL)))
    }

    public func readAll(_ request: ReadAllRequest, to bridgeURL: String) async throws -> ReadAllResult {
        try JSONDecoder().decode(
            ReadAllResult.self, from: Data(try await post(Path.readAll, Array(try JSONEncoder().encode(request)), to: bridgeURL)))
    }

    private func post(_ path: String, _ body: [UInt8], to bridgeURL: String) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: (bridgeURL.hasSuffix("/") ? String(bridgeURL.dropLast()) : bridgeURL) + path)
        request.method = .POST
        // The bridge checks the signature's time against its own clock, so this is the wall clock,
        // not the portal's (which tests move).
        request.headers.add(name: BridgeSignature.header, value: signature.sign(method: "POST", path: path, body: body, at: Date()))
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        // A read-all waits for its deadline at the bridge; the call waits a little longer.
        let response = try await client.execute(request, timeout: .seconds(70))
        let answer = try await response.body.collect(upTo: 16 * 1024 * 1024)
        guard response.status == .ok else { throw Refused(status: response.status.code) }
        return Array(answer.readableBytesView)
    }
}
