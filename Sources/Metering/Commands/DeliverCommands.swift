import Foundation
import MeterProtocol
import Platform

/// BR-3: one delivery pass. Commands without an answer are signed with the portal's key, sealed to
/// their meter's key and offered to every bridge that reported in the last minute; the bridge
/// that has the meter connected passes it on. A command passed on and not answered within
/// `retryAfter` is offered again; the meter answers a repeat without applying it twice. A meter
/// gets its commands one at a time, oldest first.
public struct DeliverCommands: Sendable {
    public let database: Database
    public let link: any BridgeLink
    public let portalKey: Secp256k1.PrivateKey
    public var retryAfter: Duration = .seconds(30)
    /// Commands older than this are no longer offered (the page shows them unanswered).
    public var giveUpAfter: Duration = .seconds(7 * 24 * 3600)

    public init(database: Database, link: any BridgeLink, portalKey: Secp256k1.PrivateKey) {
        self.database = database
        self.link = link
        self.portalKey = portalKey
    }

    public struct Outcome: Sendable, Equatable {
        public var offered = 0
        public var passed = 0
        /// Bridges that did not take the commands, with why.
        public var unreachable: [String] = []
    }

    public func run() async throws -> Outcome {
        let now = database.clock.now
        // A week without the meter: the command is closed, and says so.
        try await database.query(
            """
            UPDATE meter_commands SET answered_at = \(now), ok = false, answer = 'Expired: the meter did not connect within a week.'
            WHERE answered_at IS NULL AND created_at <= \(now.addingTimeInterval(-giveUpAfter.seconds))
            """)
        // Each meter's oldest open command only: a meter takes commands in order, so a newer one
        // must not overtake one still on its way.
        let rows = try await database.query(
            """
            SELECT * FROM (
                SELECT DISTINCT ON (c.meter_id) c.id, c.kind, c.payload, c.sent_at, m.serial, m.public_key
                FROM meter_commands c JOIN meters m ON m.id = c.meter_id
                WHERE c.answered_at IS NULL AND m.public_key IS NOT NULL
                ORDER BY c.meter_id, c.id
            ) o
            WHERE o.sent_at IS NULL OR o.sent_at <= \(now.addingTimeInterval(-retryAfter.seconds))
            ORDER BY o.id LIMIT 2000
            """
        ).rows
        guard !rows.isEmpty else { return Outcome() }
        var items: [CommandBatch.Item] = []
        var ids: [String: [Int64]] = [:]
        for row in rows {
            let id: Int64 = try row.decode("id")
            let serial: String = try row.decode("serial")
            guard let kind = MeterCommands.Kind(rawValue: try row.decode("kind")),
                let command = kind.command(payload: try row.decode("payload")),
                let keyBytes = Hex.decode(try row.decode("public_key", as: String.self)), let key = Secp256k1.PublicKey(keyBytes)
            else { continue }
            let frame = try CommandFrame.make(
                command, meter: serial, sequence: UInt64(id), time: Int64(now.timeIntervalSince1970), meterKey: key, portalKey: portalKey)
            items.append(.init(meter: serial, frame: frame))
            ids[serial, default: []].append(id)
        }
        let bridges = try await database.query(
            "SELECT url FROM bridges WHERE url IS NOT NULL AND reported_at > \(now.addingTimeInterval(-60)) ORDER BY name"
        ).rows.map { try $0.decode("url", as: String.self) }
        var passed: Set<String> = []
        var outcome = Outcome(offered: items.count)
        for url in bridges {
            do {
                passed.formUnion(try await link.pass(CommandBatch(commands: items), to: url).passed)
            } catch {
                outcome.unreachable.append("\(url): \(error)")
            }
        }
        let sent = passed.flatMap { ids[$0] ?? [] }
        if !sent.isEmpty {
            try await database.query(
                "UPDATE meter_commands SET sent_at = \(now), attempts = attempts + 1 WHERE id = ANY(\(sent)) AND answered_at IS NULL")
        }
        outcome.passed = sent.count
        return outcome
    }
}

extension Duration {
    var seconds: TimeInterval { TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18 }
}
