import MeterProtocol

/// The portal's calls to a bridge (BR-2, BR-3), each signed with the shared secret; the web target
/// makes them over HTTP.
public protocol BridgeLink: Sendable {
    func pass(_ batch: CommandBatch, to bridgeURL: String) async throws -> CommandDelivery
    func readAll(_ request: ReadAllRequest, to bridgeURL: String) async throws -> ReadAllResult
}
