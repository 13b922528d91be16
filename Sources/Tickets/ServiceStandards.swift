import Foundation
import Identity
import Platform

/// TK-3: each category's target days in towns and in villages and the compensation per day late,
/// and which areas are rural. A change applies to tickets raised after it.
public struct ServiceStandards: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Standard: Sendable, Equatable {
        public let category: TicketCategory
        public var urbanDays: Int
        public var ruralDays: Int
        public var compensationPerDay: Money

        public init(category: TicketCategory, urbanDays: Int, ruralDays: Int, compensationPerDay: Money) {
            self.category = category
            self.urbanDays = urbanDays
            self.ruralDays = ruralDays
            self.compensationPerDay = compensationPerDay
        }
    }

    public func all() async throws -> [Standard] {
        let rows = try await database.query("SELECT category, urban_days, rural_days, compensation_per_day FROM ticket_standards").rows
        let standards = try rows.map {
            Standard(
                category: try $0.decode("category"), urbanDays: try $0.decode("urban_days"), ruralDays: try $0.decode("rural_days"),
                compensationPerDay: Money(minorUnits: try $0.decode("compensation_per_day")))
        }
        return TicketCategory.allCases.compactMap { category in standards.first { $0.category == category } }
    }

    public func ruralAreas() async throws -> [String] {
        try await database.query("SELECT area FROM rural_areas ORDER BY area").rows.map { try $0.decode("area") }
    }

    /// Per category, what is wrong with its row (days 1–365, compensation not negative).
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var problems: [TicketCategory: String]
        public var areas: String?

        public init(problems: [TicketCategory: String], areas: String? = nil) {
            self.problems = problems
            self.areas = areas
        }
        public var description: String { (problems.values.sorted() + [areas].compactMap { $0 }).joined(separator: " ") }
    }

    /// What is wrong with each standard, by category.
    public static func problems(_ standards: [Standard]) -> [TicketCategory: String] {
        var problems: [TicketCategory: String] = [:]
        for standard in standards {
            if !(1...365).contains(standard.urbanDays) || !(1...365).contains(standard.ruralDays) {
                problems[standard.category] = "Targets are whole days from 1 to 365."
            } else if standard.compensationPerDay.minorUnits < 0 || standard.compensationPerDay.minorUnits > 100_000_000 {
                problems[standard.category] = "Compensation is an amount from 0 up."
            }
        }
        return problems
    }

    /// Replaces the standards and the rural areas (given one per line), audited.
    public func save(_ standards: [Standard], ruralAreas: [String], by userID: Int64, clientAddress: String?) async throws {
        var invalid = Invalid(problems: Self.problems(standards))
        let areas = Array(Set(ruralAreas.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })).sorted()
        if let bad = areas.first(where: { $0.unicodeScalars.count > 60 || $0.unicodeScalars.contains("\0") }) {
            invalid.areas = "An area name is at most 60 characters: “\(bad.prefix(20))…” is not."
        }
        guard invalid.problems.isEmpty, invalid.areas == nil else { throw invalid }
        try await database.transaction { connection in
            for standard in standards {
                try connection.execute(
                    """
                    UPDATE ticket_standards SET urban_days = \(standard.urbanDays), rural_days = \(standard.ruralDays),
                        compensation_per_day = \(standard.compensationPerDay.minorUnits) WHERE category = \(standard.category)
                    """)
            }
            try connection.execute("DELETE FROM rural_areas")
            try connection.execute("INSERT INTO rural_areas (area) SELECT unnest(\(TextList(areas))::text[])")
            try AuditLog.record(
                on: connection, .serviceStandardsChanged, userID: userID, clientAddress: clientAddress,
                details: Dictionary(
                    uniqueKeysWithValues: standards.map {
                        ($0.category.rawValue, "\($0.urbanDays)/\($0.ruralDays) days, \($0.compensationPerDay.minorUnits) a day")
                    } + [("rural_areas", areas.joined(separator: ", "))]))
        }
    }
}
