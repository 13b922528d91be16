import Logging
import Payments
import ServiceLifecycle

/// Sends the sandbox gateway's due webhooks every second (first attempts, retries, and pending
/// payments that succeed later). Several servers may run it: each event is claimed before it is sent.
public struct SandboxWebhookService: Service {
    let webhooks: SandboxWebhooks
    let logger: Logger
    let interval: Duration

    public init(webhooks: SandboxWebhooks, logger: Logger, interval: Duration = .seconds(1)) {
        self.webhooks = webhooks
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let attempts = try await webhooks.deliverDue()
                if attempts.failed + attempts.abandoned > 0 {
                    logger.warning(
                        "sandbox webhooks not delivered", metadata: ["retrying": "\(attempts.failed)", "abandoned": "\(attempts.abandoned)"])
                }
            } catch {
                logger.warning("sandbox webhooks failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
