import Accounts
import Identity
import Logging
import Metering
import Notifications
import Platform

/// Opens the database a command works on: the server at DATABASE_URL, or the embedded cluster
/// in `data.dir/pg` (started now, and stopped by `close()` if this process started it).
public struct DatabaseStartup: Sendable {
    public let database: Database
    let embedded: EmbeddedPostgres?
    let startedEmbedded: Bool

    /// `limits`: the serving limits by default; long batch commands (migrate, seed) pass `.unlimited`.
    public static func open(config: AppConfig, logger: Logger, limits: Database.Limits? = nil) async throws -> DatabaseStartup {
        let limits = limits ?? config.databaseLimits
        let clock = SystemClock(timeZone: config.timeZone)
        if let url = config.databaseURL {
            return DatabaseStartup(
                database: Database(.init(url: url, poolSize: config.databasePoolSize, limits: limits), logger: logger, clock: clock),
                embedded: nil, startedEmbedded: false)
        }
        let embedded = EmbeddedPostgres(root: config.dataDirectory + "/pg", logger: logger)
        let started = try embedded.start()
        return DatabaseStartup(
            database: Database(.init(url: embedded.conninfo(), poolSize: config.databasePoolSize, limits: limits), logger: logger, clock: clock),
            embedded: embedded, startedEmbedded: started)
    }

    /// Closes the pool, then stops the embedded cluster if we started it.
    public func close() async throws {
        await database.shutdown()
        if startedEmbedded { try embedded?.stop() }
    }
}
