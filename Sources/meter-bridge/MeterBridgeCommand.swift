import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MeterBridge
import MeterProtocol

/// `meter-bridge`: smart meters connect here; what they sign reaches the portal (BR-1).
@main
struct MeterBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meter-bridge",
        abstract: "The device bridge between smart meters (WebSocket) and the Meterline portal.",
        discussion: "The secret shared with the portal comes from the environment, BRIDGE_SECRET (32 characters or more).")

    @Option(help: "This bridge's name, unique among the portal's bridges.")
    var name = "bridge-1"

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8090

    @Option(help: "Where the portal reaches this bridge (default: http://HOST:PORT).")
    var advertise: String?

    @Option(help: "The portal's address.")
    var portal = "http://127.0.0.1:8080"

    @Option(help: "Folder of the spool: verified messages not yet stored by the portal.")
    var spool = ".meterline/bridge-spool"

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "info"

    func run() async throws {
        guard let secret = ProcessInfo.processInfo.environment["BRIDGE_SECRET"], secret.utf8.count >= BridgeSignature.minimumSecretLength else {
            throw ValidationError(
                "Set BRIDGE_SECRET to the secret shared with the portal, \(BridgeSignature.minimumSecretLength) characters or more.")
        }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "meter-bridge")
        var settings = BridgeSettings(name: name, host: host, port: port, portalURL: portal, secret: Array(secret.utf8), spoolDirectory: spool)
        if let advertise { settings.advertisedURL = advertise }
        try await bridgeServiceGroup(settings: settings, logger: logger).run()
    }
}
