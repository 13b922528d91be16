import Foundation
import Platform

/// A command on its way to a meter (BR-3): a `command` message signed with the portal's key, its
/// sequence the portal's number for the command, carrying the command sealed to the meter's key.
/// The bridge passes it on untouched and cannot read or alter it; the meter checks the portal's
/// signature, that the frame names it, and that the sequence is new.
public enum CommandFrame {
    public static func make(
        _ command: MeterCommand, meter: String, sequence: UInt64, time: Int64, meterKey: Secp256k1.PublicKey, portalKey: Secp256k1.PrivateKey
    ) throws -> String {
        let sealed = CommandEnvelope.seal(Array(try JSONEncoder().encode(command)), to: meter, key: meterKey)
        let message = MeterMessage(kind: .command, meter: meter, sequence: sequence, time: time, command: Hex.encode(sealed))
        return String(decoding: try SignedFrame.encode(message, with: portalKey), as: UTF8.self)
    }

    /// What a meter makes of a command frame, as a meter's own `MessageVerifier` (holding the
    /// portal's key under the meter's serial) and its own key see it.
    public static func open(_ frame: String, verifier: inout MessageVerifier, meterKey: Secp256k1.PrivateKey) -> Result<
        (sequence: UInt64, command: MeterCommand), MessageVerifier.Refusal
    > {
        switch verifier.accept(Array(frame.utf8)) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let message):
            guard message.kind == .command, let hex = message.command, let sealed = Hex.decode(hex),
                let plaintext = CommandEnvelope.open(sealed, as: message.meter, key: meterKey),
                let command = try? JSONDecoder().decode(MeterCommand.self, from: Data(plaintext))
            else { return .failure(.malformed("the command does not open with this meter's key")) }
            return .success((message.sequence, command))
        }
    }
}
