import AsyncHTTPClient
import Foundation
import Logging
import MeterProtocol
import ServiceLifecycle

/// The bridge's background work, until it is told to stop: writing the spool, sending its
/// segments to the portal in order, fetching the registered meters' keys, reporting status.
public struct BridgeServices: Service {
    let settings: BridgeSettings
    let directory: MeterDirectory
    let spool: Spool
    let portal: PortalClient
    let logger: Logger
    let startedAt = Int64(Date().timeIntervalSince1970)

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await spool.run() }
                group.addTask { await forward() }
                group.addTask { await syncKeys() }
                group.addTask { await report() }
            }
        }
    }

    /// Oldest segment first; one that the portal did not store is sent again after a pause that
    /// grows to ten seconds. Only a segment the portal calls unusable (400) is set aside, so that
    /// one bad batch cannot stop the stream.
    func forward() async {
        var pause = Duration.milliseconds(250)
        while !Task.isCancelled, let segment = await spool.oldest() {
            do {
                let lines = try Spool.contents(of: segment)
                if !lines.isEmpty { try await portal.deliver(lines) }
                await spool.delivered(segment)
                pause = .milliseconds(250)
            } catch let refused as PortalClient.Refused where refused.status == 400 {
                logger.error(
                    "the portal refused a spool segment; set aside", metadata: ["segment": "\(segment.path)", "detail": "\(refused.detail)"])
                await spool.setAside(segment)
            } catch {
                logger.warning("portal unreachable; the spool keeps the messages", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(10))
            }
        }
    }

    func syncKeys() async {
        while !Task.isCancelled {
            do {
                let meters = try await portal.meters()
                directory.load(meters)
                logger.debug("registered meters loaded", metadata: ["meters": "\(meters.count)"])
                try? await Task.sleep(for: settings.keyRefresh)
            } catch {
                logger.warning("could not load the registered meters", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(2))
            }
        }
    }

    func report() async {
        while !Task.isCancelled {
            try? await portal.report(
                directory.status(name: settings.name, url: settings.advertisedURL, startedAt: startedAt, backlog: await spool.backlog))
            try? await Task.sleep(for: settings.statusInterval)
        }
    }
}
