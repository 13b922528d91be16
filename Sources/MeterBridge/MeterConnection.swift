import Foundation
import HummingbirdWebSocket
import Logging
import MeterProtocol
import Platform

/// One meter's WebSocket (BR-1): a challenge, the meter's signed answer, then every frame checked
/// (signature, sequence, size, shape), spooled, and acknowledged once it is on disk. A refused
/// frame is counted and answered with nothing; a meter that keeps sending refused frames is cut off.
struct MeterConnection {
    static let strikesAllowed = 100
    /// Larger frames than this close the connection; up to it they are refused as oversize.
    static let maximumFrame = 16 * 1024

    let directory: MeterDirectory
    let spool: Spool
    let logger: Logger

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let nonce = Hex.encode(SecureRandom.bytes(16))
        try await outbound.write(.text(BridgeInstruction.challenge(nonce).text))
        var messages = inbound.messages(maxSize: Self.maximumFrame).makeAsyncIterator()
        guard let first = try await messages.next() else { return }
        guard case .text(let proof) = first else {
            return try await refuse(.malformed("the handshake is text"), outbound)
        }
        let serial: String
        switch Handshake.verify(proof, nonce: nonce, key: directory.key) {
        case .success(let meter): serial = meter
        case .failure(let refusal): return try await refuse(refusal, outbound)
        }
        guard let key = directory.key(serial) else { return }
        var verifier = MessageVerifier(keys: [serial: key], lastSequence: [serial: directory.lastSequence(serial)])
        let send: MeterDirectory.Send = { instruction in
            Task { try? await outbound.write(.text(instruction.text)) }
        }
        let connection = directory.connected(serial, send: send)
        defer { directory.disconnected(serial, connection: connection) }
        var strikes = 0
        while let message = try await messages.next() {
            let frame: [UInt8] =
                switch message {
                case .text(let text): Array(text.utf8)
                case .binary(let buffer): Array(buffer.readableBytesView)
                }
            switch verifier.accept(frame) {
            case .success(let accepted):
                let directory = directory
                do {
                    try await spool.append(DeviceRecord.line(accepted, frame: frame)) {
                        directory.accepted(accepted)
                        send(.ack(accepted.sequence))
                    }
                } catch {
                    try await outbound.close(.goingAway, reason: "the bridge is stopping")
                    return
                }
            case .failure(let refusal):
                directory.refused(refusal)
                // A meter sends again what it heard no ack for; what is stored already is
                // acknowledged (still counted as a replay), or the meter would keep it for ever.
                if case .replayed(let sequence, _) = refusal, sequence <= directory.lastSequence(serial) { send(.ack(sequence)) }
                strikes += 1
                logger.debug("frame refused", metadata: ["meter": "\(serial)", "reason": "\(refusal)"])
                if strikes >= Self.strikesAllowed {
                    try await outbound.close(.policyViolation, reason: "too many refused frames")
                    return
                }
            }
        }
    }

    private func refuse(_ refusal: MessageVerifier.Refusal, _ outbound: WebSocketOutboundWriter) async throws {
        directory.refused(refusal)
        logger.info("handshake refused", metadata: ["reason": "\(refusal)"])
        try await outbound.close(.policyViolation, reason: String(refusal.description.prefix(100)))
    }
}
