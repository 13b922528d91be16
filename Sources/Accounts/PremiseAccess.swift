import Identity
import Notifications
import Platform

/// Who may see a premise, and which days of it (MT-1, TN-1): its owner (the consumer login
/// registered against the account) sees all of it; a tenant sees the days of their leases. To
/// anyone else, and to everyone once the account is closed, the premise does not exist, so the answer is the same as for an unknown number.
public struct PremiseAccess: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Grant: Sendable, Equatable {
        public let accountID: Int64
        public let accountNumber: String
        public let supplyAddress: String
        public let isOwner: Bool
        /// The days a tenant may see, as SQL dates; nil for the owner (every day).
        public let from: String?
        public let to: String?

        public init(accountID: Int64, accountNumber: String, supplyAddress: String, isOwner: Bool, from: String?, to: String?) {
            self.accountID = accountID
            self.accountNumber = accountNumber
            self.supplyAddress = supplyAddress
            self.isOwner = isOwner
            self.from = from
            self.to = to
        }
    }

    /// Every premise the consumer may see: the one they own, then those they rent or rented.
    public func premises(of userID: Int64) async throws -> [Grant] {
        try await database.query(
            """
            SELECT a.id, a.account_number, a.supply_address, true AS owner, NULL::text AS from_day, NULL::text AS to_day
            FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.id = $1 AND a.status <> 'closed'
            UNION ALL
            SELECT a.id, a.account_number, a.supply_address, false, min(t.starts_on)::text,
                   CASE WHEN bool_or(t.ends_on IS NULL) THEN NULL ELSE max(t.ends_on)::text END
            FROM tenancies t JOIN accounts a ON a.id = t.account_id WHERE t.tenant_id = $1 AND a.status <> 'closed'
            GROUP BY a.id, a.account_number, a.supply_address
            ORDER BY 4 DESC, 2
            """, [userID]
        ).rows.map(Self.grant)
    }

    /// What the consumer may see of this account number, or nil (the page is a 404).
    public func grant(userID: Int64, accountNumber: String) async throws -> Grant? {
        try await premises(of: userID).first { $0.accountNumber == accountNumber }
    }

    private static func grant(_ row: Row) throws -> Grant {
        Grant(
            accountID: try row.decode("id"), accountNumber: try row.decode("account_number"),
            supplyAddress: try row.decode("supply_address"), isOwner: try row.decode("owner"),
            from: try row.decode("from_day"), to: try row.decode("to_day"))
    }
}
