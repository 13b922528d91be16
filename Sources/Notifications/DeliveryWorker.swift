import Logging
import Platform
import ServiceLifecycle

/// Sends what is due in the outbox, with retries and exponential backoff (NT-1). Several
/// servers can run it at once: rows are claimed with FOR UPDATE SKIP LOCKED, and a claim is a
/// lease, so a row claimed by a server that crashed is picked up again when the lease runs out.
public struct DeliveryWorker: Service {
    public let database: Database
    public let provider: any NotificationProvider
    public let logger: Logger
    public let pollInterval: Duration
    public let maxAttempts: Int
    public let batchSize: Int
    public let leaseSeconds: Int

    public init(
        database: Database, provider: any NotificationProvider, logger: Logger, pollInterval: Duration = .seconds(1),
        maxAttempts: Int = 8, batchSize: Int = 20, leaseSeconds: Int = 120
    ) {
        self.database = database
        self.provider = provider
        self.logger = logger
        self.pollInterval = pollInterval
        self.maxAttempts = maxAttempts
        self.batchSize = batchSize
        self.leaseSeconds = leaseSeconds
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                if try await deliverDue() == batchSize { continue }
            } catch {
                logger.warning("notification delivery round failed", metadata: ["error": "\(error)"])
            }
            try? await gracefulShutdown(for: pollInterval)
        }
    }

    /// Sleeps, waking early on graceful shutdown.
    private func gracefulShutdown(for interval: Duration) async throws {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
    }

    /// Claims and delivers one batch of due notifications; returns how many it claimed.
    @discardableResult
    public func deliverDue() async throws -> Int {
        let claimed = try await claim()
        for notification in claimed {
            do {
                try await provider.deliver(notification)
                try await markSent(notification)
            } catch {
                try await markFailed(notification, error: error)
            }
        }
        return claimed.count
    }

    private func claim() async throws -> [OutgoingNotification] {
        let (batch, lease, maxAttempts) = (batchSize, leaseSeconds, maxAttempts)
        return try await database.transaction { connection in
            // A row left 'sending' by a crashed server that has used up its attempts is given up.
            try connection.execute(
                """
                UPDATE notifications SET status = 'failed', last_error = 'no delivery confirmed after the last attempt'
                WHERE status = 'sending' AND next_attempt_at <= \(connection.now) AND attempts >= $1
                """, [maxAttempts])
            return try connection.query(
                """
                UPDATE notifications SET status = 'sending', attempts = attempts + 1,
                    next_attempt_at = \(connection.now) + make_interval(secs => $2)
                WHERE id IN (
                    SELECT id FROM notifications
                    WHERE status IN ('pending', 'sending') AND next_attempt_at <= \(connection.now) AND attempts < $3
                    ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
                RETURNING id, channel, recipient, subject, body, purpose
                """, [batch, lease, maxAttempts]
            ).rows.map { row in
                OutgoingNotification(
                    id: try row.decode("id"), channel: OutgoingNotification.Channel(rawValue: try row.decode("channel")) ?? .sms,
                    recipient: try row.decode("recipient"), subject: try row.decode("subject"), body: try row.decode("body"),
                    purpose: try row.decode("purpose"))
            }.sorted { $0.id < $1.id }
        }
    }

    private func markSent(_ notification: OutgoingNotification) async throws {
        let provider = self.provider.name
        try await database.query(
            "UPDATE notifications SET status = 'sent', sent_at = \(database.now), provider = $2, last_error = NULL WHERE id = $1",
            [notification.id, provider])
        logger.info("notification sent", metadata: ["notification": "\(notification.id)", "purpose": "\(notification.purpose)"])
    }

    private func markFailed(_ notification: OutgoingNotification, error: any Error) async throws {
        let maxAttempts = self.maxAttempts
        // Never the message itself in logs or errors: it may hold a one-time code.
        logger.warning("notification not delivered", metadata: ["notification": "\(notification.id)", "error": "\(error)"])
        try await database.query(
            """
            UPDATE notifications SET
                status = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'pending' END,
                last_error = left($2, 500),
                next_attempt_at = \(database.now) + make_interval(secs => least(3600, 5 * power(2, attempts - 1)))
            WHERE id = $1
            """, [notification.id, "\(error)", maxAttempts])
    }
}
