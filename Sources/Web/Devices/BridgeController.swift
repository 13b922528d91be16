import Foundation
import Hummingbird
import MeterProtocol
import Metering
import Platform

/// What device bridges call (BR-1), behind the bridge gate: the registered meters, batches of
/// verified messages, and status reports. A batch the portal cannot use is 400 and stores nothing
/// (the bridge sets it aside); anything else the bridge sends again until it gets 200.
public struct BridgeController: Sendable {
    let meters: RegisteredMeters
    let store: StoreDeviceMessages
    let reports: BridgeReports
    let routes = Routes.site

    public init(services: AppServices) {
        meters = RegisteredMeters(database: services.database)
        store = StoreDeviceMessages(database: services.database, highUseFactor: services.config.highUseFactor)
        reports = BridgeReports(database: services.database)
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.bridgeMeters, use: listMeters)
        site.post(routes.bridgeMessages, use: receiveMessages)
        site.post(routes.bridgeStatus, use: receiveStatus)
    }

    @Sendable func listMeters(_ request: Request, context: BridgeContext) async throws -> Response {
        ProblemResponse.json(.ok, Data(try await meters.list().utf8), type: "text/tab-separated-values; charset=utf-8")
    }

    @Sendable func receiveMessages(_ request: Request, context: BridgeContext) async throws -> Response {
        do {
            let outcome = try await store.store(context.body)
            context.logger.debug("bridge batch", metadata: ["stored": "\(outcome.stored)", "duplicates": "\(outcome.duplicates)"])
            return ProblemResponse.json(.ok, try JSONEncoder().encode(outcome))
        } catch let refusal as StoreDeviceMessages.Refusal {
            context.logger.warning("bridge batch refused", metadata: ["reason": "\(refusal)"])
            return ProblemResponse.make(.badRequest, refusal.description)
        }
    }

    @Sendable func receiveStatus(_ request: Request, context: BridgeContext) async throws -> Response {
        guard let status = try? JSONDecoder().decode(BridgeStatus.self, from: Data(context.body)) else {
            return ProblemResponse.make(.badRequest, "The status is not a bridge status's JSON.")
        }
        do {
            try await reports.record(
                .init(
                    name: status.name, startedAt: Date(timeIntervalSince1970: TimeInterval(status.startedAt)), connected: status.connected,
                    verified: status.verified, refused: status.refused, backlog: status.backlog, url: status.url))
        } catch BridgeReports.Refusal.badName {
            return ProblemResponse.make(.badRequest, "A bridge's name is letters, digits, dots, dashes and underscores, at most 63.")
        } catch BridgeReports.Refusal.badURL {
            return ProblemResponse.make(.badRequest, "A bridge's address is an http or https URL of at most 200 characters.")
        }
        return Response(status: .noContent)
    }
}
