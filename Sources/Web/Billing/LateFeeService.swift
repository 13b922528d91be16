import Billing
import Logging
import Platform
import ServiceLifecycle

/// Charges due late fees (BL-6) and sends due-date reminders (NT-2) at start and then every
/// hour; both passes are idempotent, so any number of servers may run them and a missed hour is
/// caught up by the next.
public struct LateFeeService: Service {
    let lateFees: ApplyLateFees
    let reminders: SendDueReminders?
    let logger: Logger
    let interval: Duration

    public init(lateFees: ApplyLateFees, reminders: SendDueReminders? = nil, logger: Logger, interval: Duration = .seconds(3600)) {
        self.lateFees = lateFees
        self.reminders = reminders
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
            do {
                if let reminded = try await reminders?.run(), reminded > 0 {
                    logger.info("due-date reminders sent", metadata: ["bills": "\(reminded)"])
                }
            } catch {
                logger.warning("due-date reminders failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
