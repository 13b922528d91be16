import Billing
import Logging
import Platform
import ServiceLifecycle

/// Charges due late fees (BL-6) at start and then every hour; the pass is idempotent, so any
/// number of servers may run it and a missed hour is caught up by the next.
public struct LateFeeService: Service {
    let lateFees: ApplyLateFees
    let logger: Logger
    let interval: Duration

    public init(lateFees: ApplyLateFees, logger: Logger, interval: Duration = .seconds(3600)) {
        self.lateFees = lateFees
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let charged = try await lateFees.run()
                if charged > 0 { logger.info("late fees charged", metadata: ["fees": "\(charged)"]) }
            } catch {
                logger.warning("late fees failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
