import Foundation
import MeterProtocol
import Synchronization

/// What the bridge knows and may forget (BR-1): the registered meters' keys and last sequences as
/// the portal gave them, the meters connected now, counters, and the read-all rounds under way.
/// Shared by every connection; each call holds the lock only to read or write a dictionary.
public final class MeterDirectory: Sendable {
    /// A way to say something to one connected meter.
    public typealias Send = @Sendable (BridgeInstruction) -> Void

    struct State {
        var keys: [String: Secp256k1.PublicKey] = [:]
        var lastSequence: [String: UInt64] = [:]
        var connected: [String: (id: UInt64, send: Send)] = [:]
        var nextConnection: UInt64 = 0
        var verified: Int64 = 0
        var refused: [String: Int64] = [:]
        var rounds: [String: ReadRound] = [:]
    }

    final class ReadRound: @unchecked Sendable {
        var waiting: Set<String>
        /// The sequence of the reading each meter answered with.
        var answers: [String: UInt64] = [:]
        var asked: Int
        var finished: CheckedContinuation<Void, Never>?
        /// Past its deadline: nobody waits any more.
        var closed = false

        init(waiting: Set<String>) {
            self.waiting = waiting
            asked = waiting.count
        }
    }

    private let state = Mutex(State())

    public init() {}

    /// The portal's list: keys replace what was known; a sequence only ever goes up, so a list
    /// older than what this bridge accepted since cannot open the door to a replay.
    public func load(_ meters: [(serial: String, key: Secp256k1.PublicKey, lastSequence: UInt64)]) {
        state.withLock { state in
            var keys: [String: Secp256k1.PublicKey] = [:]
            keys.reserveCapacity(meters.count)
            for meter in meters {
                keys[meter.serial] = meter.key
                if meter.lastSequence > state.lastSequence[meter.serial] ?? 0 { state.lastSequence[meter.serial] = meter.lastSequence }
            }
            state.keys = keys
        }
    }

    public func key(_ serial: String) -> Secp256k1.PublicKey? {
        state.withLock { $0.keys[serial] }
    }

    public func lastSequence(_ serial: String) -> UInt64 {
        state.withLock { $0.lastSequence[serial] ?? 0 }
    }

    /// A meter proved who it is: it is reachable through `send` until `disconnected`. A second
    /// connection of the same meter takes over; the first is told nothing more.
    public func connected(_ serial: String, send: @escaping Send) -> UInt64 {
        state.withLock { state in
            state.nextConnection += 1
            state.connected[serial] = (state.nextConnection, send)
            return state.nextConnection
        }
    }

    public func disconnected(_ serial: String, connection: UInt64) {
        state.withLock { state in
            if state.connected[serial]?.id == connection { state.connected[serial] = nil }
        }
    }

    /// A message passed every check: its sequence is the meter's last, and a reading answers any
    /// read round waiting for this meter.
    public func accepted(_ message: MeterMessage) {
        let finished: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.verified += 1
            if message.sequence > state.lastSequence[message.meter] ?? 0 { state.lastSequence[message.meter] = message.sequence }
            guard message.kind == .reading, !state.rounds.isEmpty else { return [] }
            var finished: [CheckedContinuation<Void, Never>] = []
            for round in state.rounds.values where round.waiting.remove(message.meter) != nil {
                round.answers[message.meter] = message.sequence
                guard round.waiting.isEmpty else { continue }
                if let continuation = round.finished { finished.append(continuation) }
                round.finished = nil
            }
            return finished
        }
        for continuation in finished { continuation.resume() }
    }

    private func close(_ round: ReadRound) -> CheckedContinuation<Void, Never>? {
        state.withLock { _ in
            round.closed = true
            defer { round.finished = nil }
            return round.finished
        }
    }

    /// BR-3: passes each command to its meter when that meter is connected here; the serials of
    /// those passed on.
    public func pass(_ batch: CommandBatch) -> [String] {
        state.withLock { state in
            batch.commands.compactMap { item in
                guard let connection = state.connected[item.meter] else { return nil }
                connection.send(.command(item.frame))
                return item.meter
            }
        }
    }

    public func refused(_ refusal: MessageVerifier.Refusal) {
        state.withLock { $0.refused[refusal.name, default: 0] += 1 }
    }

    public func status(name: String, url: String, startedAt: Int64, backlog: Int) -> BridgeStatus {
        state.withLock { state in
            BridgeStatus(
                name: name, url: url, startedAt: startedAt, connected: state.connected.count, verified: state.verified, refused: state.refused,
                backlog: backlog)
        }
    }

    /// BR-2: asks every connected meter for a reading and waits until all have answered or the
    /// deadline passes.
    public func readAll(_ request: ReadAllRequest) async -> ReadAllResult {
        let started = ContinuousClock.now
        let round = state.withLock { state -> ReadRound? in
            guard state.rounds[request.round] == nil else { return nil }
            let round = ReadRound(waiting: Set(state.connected.keys))
            state.rounds[request.round] = round
            for (_, connection) in state.connected { connection.send(.read(request.round)) }
            return round
        }
        guard let round else { return ReadAllResult(round: request.round, asked: 0, answered: 0, missing: [], milliseconds: 0) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let done = self.state.withLock { _ in
                        if round.waiting.isEmpty || round.closed { return true }
                        round.finished = continuation
                        return false
                    }
                    if done { continuation.resume() }
                }
            }
            group.addTask { try? await Task.sleep(for: .milliseconds(request.deadlineMilliseconds)) }
            await group.next()
            self.close(round)?.resume()
            group.cancelAll()
        }
        let (missing, answers) = state.withLock { state in
            state.rounds[request.round] = nil
            return (round.waiting.sorted(), round.answers)
        }
        let milliseconds = Int((ContinuousClock.now - started) / .milliseconds(1))
        return ReadAllResult(
            round: request.round, asked: round.asked, answered: round.asked - missing.count, missing: missing, milliseconds: milliseconds,
            answers: answers)
    }
}
