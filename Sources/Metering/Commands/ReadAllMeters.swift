import Foundation
import MeterProtocol
import Platform

/// BR-2: asks every bridge that reported in the last minute to read all its connected meters at
/// once, and merges what they answer: how many were asked, how many answered before the
/// deadline, which did not. The readings themselves arrive the usual way, through the bridges'
/// spools; `run` waits (a few seconds at most) until the very readings that answered (each
/// bridge names them by meter and sequence) are stored, so that a bill run started next uses
/// them. Each round is kept for the ops page and the run.
public struct ReadAllMeters: Sendable {
    public let database: Database
    public let link: any BridgeLink
    public var deadline: Duration = .seconds(5)
    /// How long to wait for the answers' readings to be stored after the bridges answered.
    public var settle: Duration = .seconds(5)

    public init(database: Database, link: any BridgeLink) {
        self.database = database
        self.link = link
    }

    public struct Round: Sendable, Equatable {
        public var id: Int64 = 0
        public var bridges = 0
        public var unreachable = 0
        public var asked = 0
        public var answered = 0
        public var missing: [String] = []
        public var milliseconds = 0
        /// The answering readings that are stored.
        public var stored = 0
    }

    public func run(by userID: Int64?, billRunID: Int64? = nil) async throws -> Round {
        let startedAt = database.clock.now
        let started = ContinuousClock.now
        // For bridges that do not name their answering readings (older than `ReadAllResult.answers`).
        let databaseNow: Date = try await database.query("SELECT now() - interval '5 seconds' AS now").rows[0].decode("now")
        let urls = try await database.query(
            "SELECT url FROM bridges WHERE url IS NOT NULL AND reported_at > \(startedAt.addingTimeInterval(-60)) ORDER BY name"
        ).rows.map { try $0.decode("url", as: String.self) }
        let request = ReadAllRequest(round: UUID().uuidString, deadlineMilliseconds: Int(deadline.components.seconds * 1000))
        let link = link
        var round = Round(bridges: urls.count)
        var answers: [String: UInt64] = [:]
        await withTaskGroup(of: ReadAllResult?.self) { group in
            for url in urls { group.addTask { try? await link.readAll(request, to: url) } }
            for await answer in group {
                guard let answer else {
                    round.unreachable += 1
                    continue
                }
                // What a bridge says is counted only as far as it can be true.
                let asked = max(0, answer.asked)
                round.asked += asked
                round.answered += min(max(0, answer.answered), asked)
                round.missing += answer.missing
                answers.merge(answer.answers) { max($0, $1) }
            }
        }
        round.missing.sort()
        round.milliseconds = Int((ContinuousClock.now - started) / .milliseconds(1))
        round.stored =
            answers.count >= round.answered
            ? try await waitForReadings(answers)
            // A bridge that did not name its readings: wait by time for as many meters, as before names.
            : try await waitForReadings(since: databaseNow, expected: round.answered)
        round.id = try await database.query(
            """
            INSERT INTO read_rounds (started_at, milliseconds, bridges, unreachable, asked, answered, missing, requested_by, bill_run_id)
            VALUES (\(startedAt), \(round.milliseconds), \(round.bridges), \(round.unreachable), \(round.asked), \(round.answered),
                    \(TextList(Array(round.missing.prefix(1000))))::text[], \(userID), \(billRunID))
            RETURNING id
            """
        ).rows[0].decode("id")
        return round
    }

    /// Meters whose reading is stored since `since`: for a bridge that does not name its answers.
    private func waitForReadings(since: Date, expected: Int) async throws -> Int {
        try await poll(until: expected) {
            "SELECT count(DISTINCT meter_id) AS n FROM readings_raw WHERE source = 'bridge' AND read_at >= \(since)"
        }
    }

    /// The named answering readings that are stored.
    private func waitForReadings(_ answers: [String: UInt64]) async throws -> Int {
        guard !answers.isEmpty else { return 0 }
        let serials = TextList(Array(answers.keys))
        let sequences = answers.keys.map { Int64(clamping: answers[$0] ?? 0) }
        return try await poll(until: answers.count) {
            """
            SELECT count(*) AS n FROM unnest(\(serials)::text[], \(sequences)::bigint[]) a (serial, sequence)
            JOIN meters m ON m.serial = a.serial JOIN readings_raw r ON r.meter_id = m.id AND r.device_sequence = a.sequence
            """
        }
    }

    /// Runs the counting `query` every 100 ms until it reaches `count` or `settle` has passed; its last count.
    private func poll(until count: Int, _ query: () -> SQL) async throws -> Int {
        let until = ContinuousClock.now + settle
        while true {
            let stored: Int = try await database.query(query()).rows[0].decode("n")
            if stored >= count || ContinuousClock.now >= until { return stored }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The latest round, as the ops page shows it.
    public func latest() async throws -> (round: Round, startedAt: String)? {
        try await find("true")
    }

    /// The round a bill run asked for before drafting.
    public func before(billRun id: Int64) async throws -> (round: Round, startedAt: String)? {
        try await find("bill_run_id = \(id)")
    }

    private func find(_ filter: SQL) async throws -> (round: Round, startedAt: String)? {
        guard
            let row = try await database.query(
                """
                SELECT id, bridges, unreachable, asked, answered, missing, milliseconds, to_char(started_at, 'YYYY-MM-DD HH24:MI:SS') AS started
                FROM read_rounds WHERE \(filter) ORDER BY started_at DESC, id DESC LIMIT 1
                """
            ).rows.first
        else { return nil }
        let missing: String = try row.decode("missing")
        return (
            Round(
                id: try row.decode("id"), bridges: try row.decode("bridges"), unreachable: try row.decode("unreachable"),
                asked: try row.decode("asked"), answered: try row.decode("answered"),
                missing: missing.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",").map(String.init),
                milliseconds: try row.decode("milliseconds")),
            try row.decode("started")
        )
    }
}
