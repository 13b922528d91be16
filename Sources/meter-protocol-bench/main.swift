import Foundation
import MeterProtocol
import Platform

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

// The parts: the signature check alone, and the JSON decoding alone, on the same frames.
let digests = frames.map { Digest.sha256(Array($0.dropFirst(SignedFrame.signatureLength))) }
let signatures = frames.map { Hex.decode(String(decoding: $0.prefix(SignedFrame.signatureLength), as: UTF8.self))! }
let keyOf = frames.indices.map { keys[$0 % meters].publicKey }
let signatureStart = Date()
var good = 0
for index in frames.indices where keyOf[index].verifies(signatures[index], digest: digests[index]) { good += 1 }
let signatureSeconds = Date().timeIntervalSince(signatureStart)
let decodeStart = Date()
let decoder = JSONDecoder()
for frame in frames { _ = try decoder.decode(MeterMessage.self, from: Data(frame.dropFirst(SignedFrame.signatureLength))) }
let decodeSeconds = Date().timeIntervalSince(decodeStart)
print(
    String(
        format: "of which: signature checks alone %.0f/s (%d good), JSON decoding alone %.0f/s", Double(frames.count) / signatureSeconds, good,
        Double(frames.count) / decodeSeconds))
