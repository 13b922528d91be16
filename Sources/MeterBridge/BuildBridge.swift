import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import MeterProtocol
import ServiceLifecycle

/// The bridge as a Hummingbird application: meters connect to `/meter` (WebSocket); the portal
/// posts `/read-all`; anyone may read `/status` and `/healthz`.
public func buildBridge(settings: BridgeSettings, logger: Logger) throws -> some ApplicationProtocol {
    let directory = MeterDirectory()
    let spool = try Spool(directory: settings.spoolDirectory, logger: logger)
    let portal = PortalClient(baseURL: settings.portalURL, secret: settings.secret)
    let services = BridgeServices(settings: settings, directory: directory, spool: spool, portal: portal, logger: logger)
    let signature = BridgeSignature(secret: settings.secret)
    let router = Router(context: BasicWebSocketRequestContext.self)
    router.get("/healthz") { _, _ in "ok" }
    router.get("/status") { _, _ -> Response in
        try json(directory.status(name: settings.name, url: settings.advertisedURL, startedAt: services.startedAt, backlog: await spool.backlog))
    }
    router.post("/read-all") { request, context -> Response in
        guard let body = try await signedBody(request, path: "/read-all", signature: signature) else { return Response(status: .unauthorized) }
        guard let asked = try? JSONDecoder().decode(ReadAllRequest.self, from: Data(body)), (1...60_000).contains(asked.deadlineMilliseconds)
        else { return Response(status: .badRequest) }
        let result = await directory.readAll(asked)
        context.logger.info("read-all", metadata: ["asked": "\(result.asked)", "answered": "\(result.answered)", "ms": "\(result.milliseconds)"])
        return try json(result)
    }
    router.post("/commands") { request, context -> Response in
        guard let body = try await signedBody(request, path: "/commands", signature: signature, limit: 4 * 1024 * 1024) else {
            return Response(status: .unauthorized)
        }
        guard let batch = try? JSONDecoder().decode(CommandBatch.self, from: Data(body)) else { return Response(status: .badRequest) }
        let passed = directory.pass(batch)
        context.logger.debug("commands", metadata: ["asked": "\(batch.commands.count)", "passed": "\(passed.count)"])
        return try json(CommandDelivery(passed: passed))
    }
    let connection = MeterConnection(directory: directory, spool: spool, logger: logger)
    router.ws("/meter") { inbound, outbound, _ in
        try await connection.run(inbound: inbound, outbound: outbound)
    }
    return Application(
        router: router,
        server: HTTPServerBuilder { [webSocketResponder = router.buildResponder()] responder in
            HandshakeDeadline(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder,
                    configuration: .init(ws: .init(maxFrameSize: MeterConnection.maximumFrame))),
                limit: .seconds(10))
        },
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "meter-bridge"),
        services: [services],
        logger: logger)
}

/// The bridge as its own service group, as `meter-bridge` runs it: SIGTERM and SIGINT (unless
/// `signals` is false, for tests) stop it gracefully: meters' connections close, what is spooled
/// is written. What still hangs after 30 s is cancelled, and a cancellation that hangs 10 s more
/// ends the process (ServiceLifecycle's own last resort), so that a stop always ends.
public func bridgeServiceGroup(settings: BridgeSettings, logger: Logger, signals: Bool = true) throws -> ServiceGroup {
    var configuration = ServiceGroupConfiguration(
        services: [try buildBridge(settings: settings, logger: logger)], gracefulShutdownSignals: signals ? [.sigterm, .sigint] : [],
        logger: logger)
    configuration.maximumGracefulShutdownDuration = Duration.seconds(30)
    configuration.maximumCancellationDuration = Duration.seconds(10)
    return ServiceGroup(configuration: configuration)
}

/// The body of a call from the portal, or nil when its signature does not hold.
private func signedBody(_ request: Request, path: String, signature: BridgeSignature, limit: Int = 64 * 1024) async throws -> [UInt8]? {
    var request = request
    let body = Array(try await request.collectBody(upTo: limit).readableBytesView)
    do {
        try signature.verify(method: "POST", path: path, body: body, header: request.headers[.init(BridgeSignature.header)!], at: Date())
    } catch {
        return nil
    }
    return body
}

private func json(_ value: some Encodable) throws -> Response {
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value))))
}
