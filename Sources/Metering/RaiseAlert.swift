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

    public static func raise(
        on connection: PostgresConnection, accountID: Int64, readingID: Int64?, kind: Kind, day: CalendarDay,
        consumption: Int64, days: Int
    ) throws {
        let detail: String =
            switch kind {
            case .spike: "\(consumption) units in \(max(days, 1)) days to \(day), far above the usual use"
            case .zeroUse: "No use in \(days) days to \(day) on a live premise"
            case .reverseFlow: "The register ran backwards by \(consumption) units to \(day)"
            case .tamper: "The meter reported tampering on \(day)"
            }
        try connection.execute(
            "INSERT INTO consumption_alerts (account_id, reading_id, kind, detail) VALUES ($1, $2, $3, $4)",
            [accountID, readingID, kind.rawValue, detail])
        let notice: String =
            switch kind {
            case .spike:
                "Meterline: your meter reading of \(day) shows much higher use than usual. If you did not expect this, check for a fault or leak, or contact us."
            case .zeroUse:
                "Meterline: your meter has recorded no use since the last reading. If the premises are in use, please contact us so we can check the meter."
            case .reverseFlow, .tamper:
                "Meterline: we have noticed something unusual with your meter and may visit to check it. Please contact us if you have questions."
            }
        // The registered owner, when there is one, by the channels they chose.
        try OwnerNotices.send(.abnormalUse, to: accountID, notice, purpose: "consumption_alert", on: connection)
    }
}
