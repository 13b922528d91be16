import Foundation
import HummingbirdWSClient
import Logging
import MeterProtocol

/// Runs simulated meters against a bridge (BR-4): each connects, proves who it is, sends what it
/// kept while away, then a reading every `interval` (and health every tenth time), answers read
/// requests, and reconnects after a pause when the connection drops.
public struct Simulator: Sendable {
    public let bridgeURL: String
    public let interval: Duration
    public let logger: Logger

    public init(bridgeURL: String, interval: Duration, logger: Logger) {
        self.bridgeURL = bridgeURL
        self.interval = interval
        self.logger = logger
    }

    /// Runs every meter until the task is cancelled; connections are spread over `rampUp`.
    public func run(_ meters: [SimulatedMeter], rampUp: Duration = .seconds(2)) async {
        await withTaskGroup(of: Void.self) { group in
            for (index, meter) in meters.enumerated() {
                let delay = meters.count > 1 ? rampUp * (Double(index) / Double(meters.count)) : .zero
                group.addTask {
                    try? await Task.sleep(for: delay)
                    await keepConnected(meter)
                }
            }
        }
    }

    func keepConnected(_ meter: SimulatedMeter) async {
        while !Task.isCancelled {
            do {
                try await connectOnce(meter)
            } catch {
                logger.debug("meter disconnected", metadata: ["meter": "\(meter.serial)", "error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1) + .milliseconds(Int.random(in: 0...1000)))
        }
    }

    func connectOnce(_ meter: SimulatedMeter) async throws {
        let interval = interval
        var configuration = WebSocketClientConfiguration()
        configuration.maxFrameSize = 1 << 16
        try await WebSocketClient.connect(url: bridgeURL, configuration: configuration, logger: logger) { inbound, outbound, _ in
            var messages = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
            guard case .text(let text) = try await messages.next(),
                let challenge = try? JSONDecoder().decode(BridgeInstruction.self, from: Data(text.utf8)), challenge.kind == .challenge,
                let nonce = challenge.nonce
            else { return }
            try await outbound.write(.text(Handshake.proof(serial: meter.serial, nonce: nonce, key: meter.key)))
            for frame in await meter.pending() { try await outbound.write(.text(String(decoding: frame, as: UTF8.self))) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var count = 0
                    while !Task.isCancelled {
                        let frame = count % 10 == 0 ? try await meter.health() : try await meter.readNow()
                        try await outbound.write(.text(String(decoding: frame, as: UTF8.self)))
                        count += 1
                        try await Task.sleep(for: interval)
                    }
                }
                while let message = try await messages.next() {
                    guard case .text(let text) = message, let instruction = try? JSONDecoder().decode(BridgeInstruction.self, from: Data(text.utf8))
                    else { continue }
                    switch instruction.kind {
                    case .ack: if let sequence = instruction.acknowledges { await meter.acknowledge(sequence) }
                    case .read: try await outbound.write(.text(String(decoding: try await meter.readNow(), as: UTF8.self)))
                    case .command:
                        if let frame = instruction.frame, let answer = try await meter.command(frame) {
                            try await outbound.write(.text(String(decoding: answer, as: UTF8.self)))
                        }
                    case .challenge: continue
                    }
                }
                group.cancelAll()
            }
        }
    }
}
