import Platform

/// The payments of the accounts a consumer owns, and one payment with what it settled (its
/// receipt). A payment of another account is as absent as one that does not exist.
public struct AccountPayments: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func payment(_ id: Int64, ownedAccountIDs: [Int64]) async throws -> (Payment, [Payment.Allocation]) {
        guard
            let row = try await database.query(
                """
                SELECT \(Payment.columns) FROM \(Payment.source)
                WHERE p.id = \(id) AND p.account_id = ANY (\(ownedAccountIDs)::bigint[])
                """
            ).rows.first
        else { throw NotFound("payment") }
        return (try Payment(row: row), try await allocations(of: id))
    }

    /// Any payment, for finance.
    public func payment(_ id: Int64) async throws -> (Payment, [Payment.Allocation]) {
        guard
            let row = try await database.query(
                "SELECT \(Payment.columns) FROM \(Payment.source) WHERE p.id = \(id)"
            ).rows.first
        else { throw NotFound("payment") }
        return (try Payment(row: row), try await allocations(of: id))
    }

    /// The latest payments of one account, newest first (pending and failed ones too: the consumer
    /// sees what became of each attempt).
    public func recent(accountID: Int64, limit: Int = 12) async throws -> [Payment] {
        try await database.query(
            """
            SELECT \(Payment.columns) FROM \(Payment.source)
            WHERE p.account_id = \(accountID) ORDER BY p.created_at DESC, p.id DESC LIMIT \(limit)
            """
        ).rows.map(Payment.init(row:))
    }

    private func allocations(of id: Int64) async throws -> [Payment.Allocation] {
        try await database.query(
            """
            SELECT b.number, to_char(b.period, 'YYYY-MM') AS period, pa.amount FROM payment_allocations pa JOIN bills b ON b.id = pa.bill_id
            WHERE pa.payment_id = \(id) ORDER BY b.period, b.id
            """
        ).rows.map {
            Payment.Allocation(
                billNumber: try $0.decode("number"), period: try $0.decode("period"), amount: Money(minorUnits: try $0.decode("amount")))
        }
    }
}
