import Logging
import ServiceLifecycle

/// Runs time-driven passes at start and then every `interval`: every hour late fees and due-date
/// reminders (BL-6, NT-2), closing and escalating tickets (TK-3); every two seconds the commands
/// waiting for meters (BR-3). Each pass is idempotent, so any number of
/// servers may run them and a missed hour is caught up by the next; one failing does not stop
/// the others.
public struct PeriodicService: Service {
    /// A pass: its name for the log, and the work, which says what it did ("" for nothing).
    public struct Pass: Sendable {
        let name: String
        let work: @Sendable () async throws -> String

        public init(_ name: String, work: @escaping @Sendable () async throws -> String) {
            self.name = name
            self.work = work
        }
    }

    let passes: [Pass]
    let logger: Logger
    let interval: Duration

    public init(passes: [Pass], logger: Logger, interval: Duration = .seconds(3600)) {
        self.passes = passes
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            for pass in passes {
                do {
                    let done = try await pass.work()
                    if !done.isEmpty { logger.info("\(pass.name): \(done)") }
                } catch {
                    logger.warning("\(pass.name) failed", metadata: ["error": "\(error)"])
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
