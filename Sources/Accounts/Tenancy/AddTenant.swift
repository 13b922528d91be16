import Identity
import Notifications
import Platform

/// TN-1: the owner of a premise adds a tenant by the tenant's username or verified mobile, with
/// the day the lease starts. The tenant is told by SMS.
public struct AddTenant: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public enum Field: Sendable { case tenant, start }

    public struct Refused: Error, Equatable {
        public let field: Field
        public let message: String

        public init(field: Field, message: String) {
            self.field = field
            self.message = message
        }
    }

    public func run(ownerID: Int64, accountNumber: String, tenant typed: String?, startsOn typedDay: String?, clientAddress: String?) async throws {
        let who = Normalise.text(typed) ?? ""
        guard !who.isEmpty else { throw Refused(field: .tenant, message: "Enter the tenant's username or mobile number.") }
        guard let day = CalendarDay(typedDay) else { throw Refused(field: .start, message: "Enter the day the lease starts, as YYYY-MM-DD.") }
        let mobile = Normalise.mobile(who)
        try await database.transaction { connection in
            guard
                let account = try connection.query(
                    """
                    SELECT a.id, a.supply_address FROM accounts a JOIN users u ON u.account_id = a.id
                    WHERE a.account_number = $1 AND u.id = $2 FOR UPDATE OF a
                    """, [accountNumber, ownerID]
                ).rows.first
            else { throw NotFound("premise") }
            // A consumer who finished registration; by username, or by the mobile they verified.
            guard
                let tenant = try connection.query(
                    """
                    SELECT id, mobile FROM users
                    WHERE kind = 'consumer' AND status = 'active'
                      AND (lower(username) = lower($1) OR (mobile = $2 AND mobile_verified_at IS NOT NULL))
                    ORDER BY id LIMIT 1
                    """, [who, mobile]
                ).rows.first
            else {
                throw Refused(field: .tenant, message: "No registered consumer has this username or mobile. Ask them to register first.")
            }
            let tenantID: Int64 = try tenant.decode("id")
            guard tenantID != ownerID else { throw Refused(field: .tenant, message: "You own this premise; add someone else as tenant.") }
            guard
                try connection.query(
                    "SELECT 1 FROM tenancies WHERE account_id = $1 AND tenant_id = $2 AND ends_on IS NULL",
                    [try account.decode("id", as: Int64.self), tenantID]
                ).rows.isEmpty
            else { throw Refused(field: .tenant, message: "This person is a tenant here already.") }
            try connection.execute(
                "INSERT INTO tenancies (account_id, tenant_id, starts_on, added_by) VALUES ($1, $2, $3::date, $4)",
                [try account.decode("id", as: Int64.self), tenantID, day.description, ownerID])
            if let mobile: String = try tenant.decode("mobile") {
                try Outbox.enqueue(
                    on: connection, channel: .sms, to: mobile,
                    body:
                        "Meterline: you have been added as tenant of \(try account.decode("supply_address", as: String.self)) from \(day). Sign in to see its usage.",
                    purpose: "tenancy_added")
            }
            try AuditLog.record(
                on: connection, .tenantAdded, userID: ownerID, clientAddress: clientAddress,
                details: ["account": accountNumber, "tenant": String(tenantID), "from": day.description])
        }
    }
}
