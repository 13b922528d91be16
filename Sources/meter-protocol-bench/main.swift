import Foundation
import MeterProtocol

// `make bench` (protocol): how many signed meter frames one core checks per second (size, JSON,
// the meter's key, ECDSA secp256k1 signature, sequence), and how many it signs. Prints; asserts nothing.
let meters = 1_000
let rounds = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 100
let keys = (0..<meters).map { _ in Secp256k1.PrivateKey.generate() }
let serials = (0..<meters).map { String(format: "SIM-%06d", $0 + 1) }
var verifier = MessageVerifier(keys: Dictionary(uniqueKeysWithValues: zip(serials, keys.map(\.publicKey))))

var frames: [[UInt8]] = []
frames.reserveCapacity(meters * rounds)
let signStart = Date()
for round in 1...rounds {
    for index in 0..<meters {
        let message = MeterMessage(
            kind: .reading, meter: serials[index], sequence: UInt64(round), time: 1_764_633_600 + Int64(round) * 900,
            wattHours: Int64(round) * 250 + Int64(index))
        frames.append(try SignedFrame.encode(message, with: keys[index]))
    }
}
let signSeconds = Date().timeIntervalSince(signStart)

let verifyStart = Date()
var accepted = 0
for frame in frames {
    if case .success = verifier.accept(frame) { accepted += 1 }
}
let verifySeconds = Date().timeIntervalSince(verifyStart)
print(
    String(
        format: "%d frames (%d meters, %d bytes each on average): signed %.0f/s, verified %.0f/s on one core; %d accepted",
        frames.count, meters, frames.map(\.count).reduce(0, +) / frames.count, Double(frames.count) / signSeconds,
        Double(frames.count) / verifySeconds, accepted))
