import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The bridge's only state (BR-1): verified messages written to disk before the meter hears its
/// ack, in numbered segment files, each deleted only once the portal has stored it. A bridge that
/// stops, or a portal that is down, loses nothing: the segments wait and are sent in order.
///
/// Writes are grouped: every message appended in one interval is written and `fsync`ed once, and
/// only then are their appenders resumed. The write and `fsync` block, for seconds on a disk busy
/// with other work, so they run on a thread of their own, not on one of the few threads every task
/// of the process shares.
public actor Spool {
    public struct Segment: Sendable, Equatable {
        public let number: Int
        public let path: String
    }

    let directory: String
    let flushInterval: Duration
    let segmentLines: Int
    let segmentAge: Duration
    private var pending: [UInt8] = []
    private var pendingLines = 0
    private var waiters: [@Sendable () -> Void] = []
    let logger: Logger
    private var current: (segment: Segment, descriptor: Int32, lines: Int, opened: ContinuousClock.Instant)?
    private var nextNumber: Int
    /// Closed segments, oldest first, not yet stored by the portal.
    private var ready: [Segment]
    private var readyWaiter: CheckedContinuation<Void, Never>?
    private var stopped = false
    private let disk = DispatchQueue(label: "spool-disk")

    public init(
        directory: String, logger: Logger, flushInterval: Duration = .milliseconds(10), segmentLines: Int = 5_000,
        segmentAge: Duration = .milliseconds(250)
    )
        throws
    {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.logger = logger
        self.flushInterval = flushInterval
        self.segmentLines = segmentLines
        self.segmentAge = segmentAge
        // Segments left by an earlier run are sent first, in order.
        let found = try FileManager.default.contentsOfDirectory(atPath: directory)
            .compactMap { name -> Segment? in
                guard name.hasSuffix(".seg"), let number = Int(name.dropLast(4)) else { return nil }
                return Segment(number: number, path: directory + "/" + name)
            }
            .sorted { $0.number < $1.number }
        ready = found
        nextNumber = (found.last?.number ?? 0) + 1
    }

    /// Messages spooled and not yet stored by the portal, counted by segment.
    public var backlog: Int { ready.count + (current == nil ? 0 : 1) }

    /// Queues `line`; `onDurable` runs once it is on disk (and never, if writing failed: the meter
    /// hears no ack and sends the message again).
    public func append(_ line: String, onDurable: @escaping @Sendable () -> Void) throws {
        guard !stopped else { throw SpoolClosed() }
        pending.append(contentsOf: line.utf8)
        pendingLines += 1
        waiters.append(onDurable)
    }

    /// Writes what is pending every interval, and closes a segment when it is full or old; until
    /// the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: flushInterval)
            await flush()
        }
        await flush()
        closeCurrent()
        stopped = true
    }

    /// The oldest closed segment, waiting for one if there is none.
    public func oldest() async -> Segment? {
        while ready.isEmpty {
            if stopped || Task.isCancelled { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { readyWaiter = $0 }
            } onCancel: {
                Task { await self.wake() }
            }
        }
        return ready.first
    }

    /// The portal has stored `segment`: it goes.
    public func delivered(_ segment: Segment) {
        guard ready.first == segment else { return }
        ready.removeFirst()
        unlink(segment.path)
    }

    /// The portal cannot use `segment`: it is kept in `rejected/` for a person to look at.
    public func setAside(_ segment: Segment) {
        guard ready.first == segment else { return }
        ready.removeFirst()
        let rejected = directory + "/rejected"
        try? FileManager.default.createDirectory(atPath: rejected, withIntermediateDirectories: true)
        rename(segment.path, rejected + "/" + (segment.path as NSString).lastPathComponent)
    }

    /// Wakes a forwarder waiting in `oldest` (when it is being stopped).
    public func wake() {
        readyWaiter?.resume()
        readyWaiter = nil
    }

    private func flush() async {
        if !pending.isEmpty {
            let waiting = waiters
            let bytes = pending
            let lines = pendingLines
            waiters = []
            pending.removeAll(keepingCapacity: true)
            pendingLines = 0
            do {
                let open = try currentSegment()
                try await Self.writeDurably(bytes, to: open.descriptor, on: disk)
                current?.lines += lines
                for waiter in waiting { waiter() }
            } catch {
                logger.error("spool write failed", metadata: ["error": "\(error)", "messages": "\(waiting.count)"])
            }
        }
        if let open = current, open.lines >= segmentLines || (open.lines > 0 && ContinuousClock.now - open.opened >= segmentAge) {
            closeCurrent()
        }
    }

    /// Writes `bytes` and waits for `fsync`, on `queue`.
    private static func writeDurably(_ bytes: [UInt8], to descriptor: Int32, on queue: DispatchQueue) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                do {
                    try write(bytes, to: descriptor)
                    guard fsync(descriptor) == 0 else { throw SpoolFailed(errno: errno) }
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    private func currentSegment() throws -> (segment: Segment, descriptor: Int32, lines: Int, opened: ContinuousClock.Instant) {
        if let current { return current }
        let segment = Segment(number: nextNumber, path: directory + "/" + String(format: "%016d.seg", nextNumber))
        nextNumber += 1
        let descriptor = open(segment.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpoolFailed(errno: errno) }
        current = (segment, descriptor, 0, ContinuousClock.now)
        return current!
    }

    private func closeCurrent() {
        guard let open = current else { return }
        close(open.descriptor)
        current = nil
        ready.append(open.segment)
        readyWaiter?.resume()
        readyWaiter = nil
    }

    private static func write(_ bytes: [UInt8], to descriptor: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw SpoolFailed(errno: errno)
            }
            offset += written
        }
    }

    /// A segment's complete lines: a line cut short by a crash was never acknowledged to its meter,
    /// which sends it again.
    public static func contents(of segment: Segment) throws -> [UInt8] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: segment.path)))
        guard let last = bytes.lastIndex(of: 0x0A) else { return [] }
        return Array(bytes[...last])
    }
}

public struct SpoolFailed: Error, CustomStringConvertible {
    public let errno: Int32
    public var description: String { "the spool could not be written: \(String(cString: strerror(errno)))" }
}

public struct SpoolClosed: Error, CustomStringConvertible {
    public var description: String { "the bridge is stopping" }
}
