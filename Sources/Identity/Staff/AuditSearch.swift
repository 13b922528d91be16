import Foundation
import Notifications
import Platform

/// ID-11: the audit trail as finance and admins search it.
public struct AuditSearch: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }
    public static let limit = 500

    public struct Filter: Sendable {
        public var action: String?
        public var username: String?
        /// Inclusive dates, YYYY-MM-DD, in the utility's time zone (times show their UTC offset).
        public var from: String?
        public var to: String?

        public init(action: String? = nil, username: String? = nil, from: String? = nil, to: String? = nil) {
            self.action = action
            self.username = username
            self.from = from
            self.to = to
        }
    }

    public struct Entry: Encodable, Sendable {
        public let at: String
        public let username: String
        public let action: String
        public let address: String
        public let details: String

        public init(at: String, username: String, action: String, address: String, details: String) {
            self.at = at
            self.username = username
            self.action = action
            self.address = address
            self.details = details
        }
    }

    /// Messages for filters that are not valid, by field.
    public struct Invalid: Error {
        public var from: String?
        public var to: String?

        public init(from: String? = nil, to: String? = nil) {
            self.from = from
            self.to = to
        }
    }

    public func run(_ filter: Filter) async throws -> [Entry] {
        var invalid = Invalid()
        /// nil for no filter, "" for one that is not a real calendar date.
        func date(_ text: String?) -> String? {
            guard let text = Normalise.text(text) else { return nil }
            guard let match = text.wholeMatch(of: /([0-9]{4})-([0-9]{2})-([0-9]{2})/) else { return "" }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let components = DateComponents(year: Int(match.1), month: Int(match.2), day: Int(match.3))
            return components.isValidDate(in: calendar) ? text : ""
        }
        let from = date(filter.from)
        let to = date(filter.to)
        if from == "" { invalid.from = "Use a date like 2026-11-23." }
        if to == "" { invalid.to = "Use a date like 2026-11-23." }
        guard invalid.from == nil, invalid.to == nil else { throw invalid }
        let action = Normalise.text(filter.action).flatMap { AuditLog.Action(rawValue: $0)?.rawValue }
        return try await database.query(
            """
            SELECT to_char(a.at, 'YYYY-MM-DD HH24:MI:SS OF') AS at, coalesce(u.username, '—') AS username, a.action,
                   coalesce(a.client_address, '') AS address, a.details::text AS details
            FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
            WHERE ($1::text IS NULL OR a.action = $1)
              AND ($2::text IS NULL OR lower(u.username) = lower($2))
              AND ($3::date IS NULL OR a.at >= $3::date)
              AND ($4::date IS NULL OR a.at < $4::date + 1)
            ORDER BY a.at DESC, a.id DESC LIMIT \(Self.limit)
            """, [action, Normalise.text(filter.username), from, to]
        ).rows.map { row in
            Entry(
                at: try row.decode("at"), username: try row.decode("username"), action: try row.decode("action"),
                address: try row.decode("address"), details: try row.decode("details"))
        }
    }

    /// RFC 4180 CSV of the entries, for spreadsheets.
    public static func csv(_ entries: [Entry]) -> String {
        CSVWriter.document(
            header: ["time", "user", "action", "client_address", "details"],
            rows: entries.map { [$0.at, $0.username, $0.action, $0.address, $0.details] })
    }
}
