import Foundation
import Platform

/// The tariffs and their versions (BL-1): what a bill run reads to price a month, and where an
/// admin adds a version. Versions are never changed (the database refuses it).
public struct TariffBook: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Version: Sendable, Equatable {
        public let id: Int64
        public let category: String
        public let tariffName: String
        public let effectiveFrom: CalendarDay
        public let rules: TariffRules
    }

    /// Every version of every category that is in force on some day of `period`, oldest first.
    public func versions(in period: BillingPeriod) async throws -> [String: [Version]] {
        let rows = try await database.query(
            """
            SELECT v.id, t.category, t.name, v.effective_from::text AS effective_from, v.rules::text AS rules
            FROM tariff_versions v JOIN tariffs t ON t.id = v.tariff_id
            WHERE v.effective_from <= $1::date
              AND v.effective_from >= coalesce((SELECT max(p.effective_from) FROM tariff_versions p
                                                WHERE p.tariff_id = v.tariff_id AND p.effective_from <= $2::date), v.effective_from)
            ORDER BY t.category, v.effective_from
            """, [period.last.description, period.first.description]
        ).rows
        var versions: [String: [Version]] = [:]
        for row in rows {
            let version = try Self.version(row)
            versions[version.category, default: []].append(version)
        }
        return versions
    }

    /// Every version of every tariff, newest first within each category.
    public func all() async throws -> [Version] {
        try await database.query(
            """
            SELECT v.id, t.category, t.name, v.effective_from::text AS effective_from, v.rules::text AS rules
            FROM tariff_versions v JOIN tariffs t ON t.id = v.tariff_id ORDER BY t.category, v.effective_from DESC
            """
        ).rows.map(Self.version)
    }

    /// The parts of `period` each version prices, in order: usually one part of the whole month.
    public static func parts(of period: BillingPeriod, versions: [Version]) -> [(version: Version, days: Int)] {
        var parts: [(version: Version, days: Int)] = []
        for (index, version) in versions.enumerated() {
            let startDay = version.effectiveFrom < period.first ? 1 : version.effectiveFrom.day
            let endDay = index + 1 < versions.count ? versions[index + 1].effectiveFrom.day - 1 : period.days
            if endDay >= startDay { parts.append((version, endDay - startDay + 1)) }
        }
        return parts
    }

    /// The categories a tariff is for: one tariff each.
    public static let categories = ["residential", "commercial", "industrial"]

    public struct Refused: Error, Equatable, CustomStringConvertible {
        public let problems: [String]
        public var description: String { problems.joined(separator: " ") }
    }

    /// Adds a version of a category's tariff from `effectiveFrom`, creating the tariff (named
    /// `tariffName`) if it is the category's first; an existing tariff keeps its name, which issued
    /// bills show. Months already billed keep the versions they were billed with.
    @discardableResult
    public func addVersion(
        category: String, tariffName: String, effectiveFrom: CalendarDay, rules: TariffRules, note: String? = nil, by userID: Int64?
    ) async throws -> Int64 {
        var problems = rules.problems()
        if !Self.categories.contains(category) { problems.append("Choose a category.") }
        guard problems.isEmpty else { throw Refused(problems: problems) }
        let json = String(decoding: try JSONEncoder().encode(rules), as: UTF8.self)
        return try await database.transaction { connection in
            let billed = try connection.query(
                "SELECT 1 FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.category = $1 AND b.period >= date_trunc('month', $2::date)::date LIMIT 1",
                [category, effectiveFrom.description]
            ).rows
            guard billed.isEmpty else {
                throw Refused(problems: ["Bills for \(category) accounts exist from that month on: a new version must start after them."])
            }
            let tariff = try connection.query(
                """
                INSERT INTO tariffs (category, name) VALUES ($1, $2)
                ON CONFLICT (category) DO UPDATE SET name = tariffs.name RETURNING id
                """, [category, tariffName]
            ).rows[0].decode("id", as: Int64.self)
            let existing = try connection.query(
                "SELECT 1 FROM tariff_versions WHERE tariff_id = $1 AND effective_from = $2::date", [tariff, effectiveFrom.description]
            ).rows
            guard existing.isEmpty else { throw Refused(problems: ["A version already starts on \(effectiveFrom)."]) }
            return try connection.query(
                """
                INSERT INTO tariff_versions (tariff_id, effective_from, rules, note, created_by, created_at)
                VALUES ($1, $2::date, $3::jsonb, $4, $5, \(connection.now)) RETURNING id
                """, [tariff, effectiveFrom.description, json, note, userID]
            ).rows[0].decode("id", as: Int64.self)
        }
    }

    static func version(_ row: Row) throws -> Version {
        Version(
            id: try row.decode("id"), category: try row.decode("category"), tariffName: try row.decode("name"),
            effectiveFrom: CalendarDay(try row.decode("effective_from", as: String.self))!,
            rules: try JSONDecoder().decode(TariffRules.self, from: Data(try row.decode("rules", as: String.self).utf8)))
    }
}
