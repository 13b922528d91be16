import Identity
import Notifications
import Platform

/// TN-2: the owner ends a lease, or the tenant leaves. The lease keeps its row with the day it
/// ended, so the tenant still sees the days they rented and nothing after.
public struct EndTenancy: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Ends the open lease `tenancyID` today, when `userID` is its owner or its tenant.
    /// Returns false when there is no such open lease for this person.
    public func run(tenancyID: Int64, by userID: Int64, clientAddress: String?) async throws -> Bool {
        try await database.transaction { connection in
            guard
                let row = try connection.query(
                    """
                    UPDATE tenancies t SET ends_on = greatest(t.starts_on, (\(connection.now))::date), ended_by = $2
                    FROM accounts a LEFT JOIN users owner ON owner.account_id = a.id
                    WHERE t.id = $1 AND t.ends_on IS NULL AND a.id = t.account_id AND (t.tenant_id = $2 OR owner.id = $2)
                    RETURNING t.tenant_id = $2 AS left_by_tenant, a.account_number
                    """, [tenancyID, userID]
                ).rows.first
            else { return false }
            try AuditLog.record(
                on: connection, try row.decode("left_by_tenant", as: Bool.self) ? .tenantLeft : .tenancyEnded, userID: userID,
                clientAddress: clientAddress, details: ["account": try row.decode("account_number"), "tenancy": String(tenancyID)])
            return true
        }
    }
}
