import Accounts
import Identity
import Logging
import Metering
import Notifications
import Platform
import ServiceLifecycle

/// Deletes expired sessions (and rate-limit windows long past) now and then, so the tables hold
/// what is live. Any number of servers may run it: each delete is idempotent.
public struct SessionPurger: Service {
    let sessions: SessionStore
    let logger: Logger
    let interval: Duration

    public init(sessions: SessionStore, logger: Logger, interval: Duration = .seconds(600)) {
        self.sessions = sessions
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let purged = try await sessions.purgeExpired()
                if purged > 0 { logger.info("purged expired sessions", metadata: ["sessions": "\(purged)"]) }
            } catch {
                logger.warning("session purge failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
