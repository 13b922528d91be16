import Accounts
import Identity
import Notifications
import Platform

/// MT-6: abnormal consumption raises an alert for staff and a notice to the consumer, in the
/// transaction that stored the reading, so neither exists without the other.
public enum RaiseAlert {
    public enum Kind: String, Sendable {
        case zeroUse = "zero_use"
        case spike
        case reverseFlow = "reverse_flow"
        case tamper
    }

    /// One alert: `consumption` units in `days` days to `day` (for reverse flow, how far back).
    public struct Alert: Sendable, Equatable {
        public let accountID: Int64
        public let readingID: Int64?
        public let kind: Kind
        public let day: CalendarDay
        public let consumption: Int64
        public let days: Int

        public init(accountID: Int64, readingID: Int64?, kind: Kind, day: CalendarDay, consumption: Int64, days: Int) {
            self.accountID = accountID
            self.readingID = readingID
            self.kind = kind
            self.day = day
            self.consumption = consumption
            self.days = days
        }

        /// What staff read on the alerts page.
        var detail: String {
            switch kind {
            case .spike: "\(consumption) units in \(max(days, 1)) days to \(day), far above the usual use"
            case .zeroUse: "No use in \(days) days to \(day) on a live premise"
            case .reverseFlow: "The register ran backwards by \(consumption) units to \(day)"
            case .tamper: "The meter reported tampering on \(day)"
            }
        }

        /// What the consumer is told.
        var notice: String {
            switch kind {
            case .spike:
                "Meterline: your meter reading of \(day) shows much higher use than usual. If you did not expect this, check for a fault or leak, or contact us."
            case .zeroUse:
                "Meterline: your meter has recorded no use since the last reading. If the premises are in use, please contact us so we can check the meter."
            case .reverseFlow, .tamper:
                "Meterline: we have noticed something unusual with your meter and may visit to check it. Please contact us if you have questions."
            }
        }
    }

    public static func raise(
        on connection: PostgresConnection, accountID: Int64, readingID: Int64?, kind: Kind, day: CalendarDay,
        consumption: Int64, days: Int
    ) throws {
        try raise(
            [Alert(accountID: accountID, readingID: readingID, kind: kind, day: day, consumption: consumption, days: days)], on: connection)
    }

    /// Many alerts in a constant number of statements, as a batch of meter messages raises them.
    public static func raise(_ alerts: [Alert], on connection: PostgresConnection) throws {
        guard !alerts.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO consumption_alerts (account_id, reading_id, kind, detail)
            SELECT account, nullif(reading, 0), kind, detail
            FROM unnest(\(alerts.map(\.accountID))::bigint[], \(alerts.map { $0.readingID ?? 0 })::bigint[],
                        \(TextList(alerts.map(\.kind.rawValue)))::text[], \(TextList(alerts.map(\.detail)))::text[])
                 AS a (account, reading, kind, detail)
            """)
        // The registered owner, when there is one, by the channels they chose.
        try OwnerNotices.send(
            .abnormalUse, alerts.map { (accountID: $0.accountID, text: $0.notice) }, purpose: "consumption_alert", on: connection)
    }
}
