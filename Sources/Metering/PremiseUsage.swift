import Accounts
import Identity
import Notifications
import Platform

/// The consumer's view of one premise (MT-1, TN-1): its readings and a chart of use by month,
/// limited to the days they may see; for the owner, its tenants.
public struct PremiseUsage: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Reading: Encodable, Sendable {
        public let readOn: String
        public let value: Int64
        public let consumption: Int64
        public let estimated: Bool

        public init(readOn: String, value: Int64, consumption: Int64, estimated: Bool) {
            self.readOn = readOn
            self.value = value
            self.consumption = consumption
            self.estimated = estimated
        }
    }

    public struct Tenancy: Encodable, Sendable {
        public let id: Int64
        public let tenant: String
        public let startsOn: String
        public let endsOn: String?
        let open: Bool

        public init(id: Int64, tenant: String, startsOn: String, endsOn: String?) {
            (self.id, self.tenant, self.startsOn, self.endsOn) = (id, tenant, startsOn, endsOn)
            open = endsOn == nil
        }
    }

    /// The readings the consumer may see, newest first. A tenant sees the days of their leases.
    public func readings(_ grant: PremiseAccess.Grant, userID: Int64, limit: Int = 24) async throws -> [Reading] {
        try await database.query(
            """
            SELECT r.read_on::text AS read_on, r.value, r.consumption, r.kind = 'estimated' AS estimated
            FROM current_readings r
            WHERE r.account_id = $1 AND r.kind <> 'initial'
              AND ($2 OR EXISTS (
                  SELECT 1 FROM tenancies t WHERE t.account_id = r.account_id AND t.tenant_id = $3
                  AND r.read_on >= t.starts_on AND (t.ends_on IS NULL OR r.read_on <= t.ends_on)))
            ORDER BY r.read_on DESC, r.id DESC LIMIT \(limit)
            """, [grant.accountID, grant.isOwner, userID]
        ).rows.map {
            Reading(
                readOn: try $0.decode("read_on"), value: try $0.decode("value"), consumption: try $0.decode("consumption"),
                estimated: try $0.decode("estimated"))
        }
    }

    public func tenancies(accountID: Int64) async throws -> [Tenancy] {
        try await database.query(
            """
            SELECT t.id, u.full_name || ' (' || u.username || ')' AS tenant, t.starts_on::text AS starts_on, t.ends_on::text AS ends_on
            FROM tenancies t JOIN users u ON u.id = t.tenant_id WHERE t.account_id = $1
            ORDER BY t.ends_on IS NULL DESC, t.starts_on DESC
            """, [accountID]
        ).rows.map {
            Tenancy(id: try $0.decode("id"), tenant: try $0.decode("tenant"), startsOn: try $0.decode("starts_on"), endsOn: try $0.decode("ends_on"))
        }
    }

    /// The tenant's own open lease of this premise, for the "leave" button.
    public func openLease(accountID: Int64, tenantID: Int64) async throws -> Int64? {
        try await database.query(
            "SELECT id FROM tenancies WHERE account_id = $1 AND tenant_id = $2 AND ends_on IS NULL", [accountID, tenantID]
        ).rows.first?.decode("id")
    }
}

/// Bars of use per reading period, drawn by the server as SVG (pages work without scripts).
public struct UsageChart: Encodable, Sendable {
    public struct Bar: Encodable, Sendable {
        public let x: Int
        public let y: Int
        public let width: Int
        public let height: Int
        public let label: String
        public let value: Int64
        /// The middle of the bar, where its label is centred.
        public let labelX: Int
        /// Where the bar's value is written, just above it: readable on a phone without hovering.
        public let valueY: Int

        public init(x: Int, y: Int, width: Int, height: Int, label: String, value: Int64, labelX: Int) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
            self.label = label
            self.value = value
            self.labelX = labelX
            valueY = y - 6
        }
    }

    public static let width = 600
    public static let height = 180
    public let bars: [Bar]
    public let viewBox = "0 0 \(UsageChart.width) \(UsageChart.height + 28)"

    public static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// "2026-10-31" → "Oct": short enough to fit under a bar on a phone.
    public static func monthName(_ day: String) -> String {
        let parts = day.split(separator: "-")
        guard parts.count == 3, let month = Int(parts[1]), (1...12).contains(month) else { return day }
        return months[month - 1]
    }

    public init(readings: [PremiseUsage.Reading]) {
        let shown = Array(readings.prefix(12).reversed())
        let top = max(1, shown.map(\.consumption).max() ?? 1)
        let slot = shown.isEmpty ? 0 : Self.width / shown.count
        bars = shown.enumerated().map { index, reading in
            // Room above the tallest bar for its value.
            let height = max(1, Int(Double(reading.consumption) / Double(top) * Double(Self.height - 28)))
            let (x, width) = (index * slot + slot / 8, slot * 3 / 4)
            return Bar(
                x: x, y: Self.height - height, width: width, height: height, label: Self.monthName(reading.readOn),
                value: reading.consumption, labelX: x + width / 2)
        }
    }
}
