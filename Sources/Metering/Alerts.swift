import Accounts
import Identity
import Notifications
import Platform

/// MT-6: the list of consumption alerts staff work through, and acknowledging one.
public struct Alerts: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Alert: Encodable, Sendable {
        public let id: Int64
        public let accountNumber: String
        public let holderName: String
        public let kind: String
        public let detail: String
        public let raised: String
        public let acknowledged: Bool
        public let acknowledgedBy: String?
        public let readingID: Int64?
        public let readingValue: Int64?

        public init(
            id: Int64, accountNumber: String, holderName: String, kind: String, detail: String, raised: String, acknowledged: Bool,
            acknowledgedBy: String?, readingID: Int64?, readingValue: Int64?
        ) {
            self.id = id
            self.accountNumber = accountNumber
            self.holderName = holderName
            self.kind = kind
            self.detail = detail
            self.raised = raised
            self.acknowledged = acknowledged
            self.acknowledgedBy = acknowledgedBy
            self.readingID = readingID
            self.readingValue = readingValue
        }
    }

    public struct Filter: Sendable, Equatable {
        public var kind: String?
        public var openOnly = true

        public init(kind: String? = nil, openOnly: Bool = true) {
            self.kind = kind
            self.openOnly = openOnly
        }
    }

    public static let kinds = ["spike", "zero_use", "reverse_flow", "tamper"]

    public func list(_ filter: Filter, limit: Int = 200) async throws -> [Alert] {
        let kind = filter.kind.flatMap { Self.kinds.contains($0) ? $0 : nil }
        return try await database.query(
            """
            SELECT c.id, a.account_number, a.holder_name, c.kind, c.detail, to_char(c.raised_at, 'YYYY-MM-DD HH24:MI') AS raised,
                   c.acknowledged_at IS NOT NULL AS acknowledged, u.username AS acknowledged_by,
                   r.id AS reading_id, r.value AS reading_value
            FROM consumption_alerts c
            JOIN accounts a ON a.id = c.account_id
            LEFT JOIN users u ON u.id = c.acknowledged_by
            LEFT JOIN current_readings r ON r.id = c.reading_id
            WHERE ($1::text IS NULL OR c.kind = $1) AND (NOT $2 OR c.acknowledged_at IS NULL)
            ORDER BY c.raised_at DESC, c.id DESC LIMIT \(limit)
            """, [kind, filter.openOnly]
        ).rows.map {
            Alert(
                id: try $0.decode("id"), accountNumber: try $0.decode("account_number"), holderName: try $0.decode("holder_name"),
                kind: try $0.decode("kind"), detail: try $0.decode("detail"), raised: try $0.decode("raised"),
                acknowledged: try $0.decode("acknowledged"), acknowledgedBy: try $0.decode("acknowledged_by"),
                readingID: try $0.decode("reading_id"), readingValue: try $0.decode("reading_value"))
        }
    }

    /// Returns false when the alert does not exist or was acknowledged already.
    public func acknowledge(id: Int64, by userID: Int64, clientAddress: String?) async throws -> Bool {
        try await database.transaction { connection in
            guard
                try connection.execute(
                    "UPDATE consumption_alerts SET acknowledged_at = \(connection.now), acknowledged_by = $2 WHERE id = $1 AND acknowledged_at IS NULL",
                    [id, userID]) == 1
            else { return false }
            try AuditLog.record(on: connection, .alertAcknowledged, userID: userID, clientAddress: clientAddress, details: ["alert": String(id)])
            return true
        }
    }
}
