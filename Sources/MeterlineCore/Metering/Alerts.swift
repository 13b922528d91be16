/// MT-6: the list of consumption alerts staff work through, and acknowledging one.
struct Alerts: Sendable {
    let database: Database

    struct Alert: Encodable, Sendable {
        let id: Int64
        let accountNumber: String
        let holderName: String
        let kind: String
        let detail: String
        let raised: String
        let acknowledged: Bool
        let acknowledgedBy: String?
        let readingID: Int64?
        let readingValue: Int64?
    }

    struct Filter: Sendable, Equatable {
        var kind: String?
        var openOnly = true
    }

    static let kinds = ["spike", "zero_use", "reverse_flow", "tamper"]

    func list(_ filter: Filter, limit: Int = 200) async throws -> [Alert] {
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
    func acknowledge(id: Int64, by userID: Int64, clientAddress: String?) async throws -> Bool {
        try await database.transaction { connection in
            guard try connection.execute(
                "UPDATE consumption_alerts SET acknowledged_at = \(connection.now), acknowledged_by = $2 WHERE id = $1 AND acknowledged_at IS NULL",
                [id, userID]) == 1
            else { return false }
            try AuditLog.record(on: connection, .alertAcknowledged, userID: userID, clientAddress: clientAddress, details: ["alert": String(id)])
            return true
        }
    }
}
