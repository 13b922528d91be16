import Foundation
import Platform

/// BL-7: a consumer's dispute of a bill, and what finance decided.
public struct Dispute: Sendable, Equatable {
    public enum Status: String, Sendable {
        case open, rejected, resolved
    }

    public let id: Int64
    public let billNumber: String
    public let billPeriod: BillingPeriod
    public let billTotal: Money
    public let accountNumber: String
    public let holderName: String
    public let reason: String
    public let reportedReading: Int64?
    public let status: Status
    /// "2 December 2026, 14:05", in the utility's time zone.
    public let openedText: String
    public let decidedText: String?
    public let decision: String?
    public let creditNote: String?
    /// The corrected bill, when the month was billed again.
    public let replacementBill: String?
    /// The bill's closing reading: what the consumer's reading is compared with.
    public let billedClosing: Int64
    public let billedClosingOn: String
    public let billEstimated: Bool

    static let columns: SQL = """
        d.id, b.number AS bill_number, to_char(b.period, 'YYYY-MM') AS bill_period, b.total AS bill_total, a.account_number, a.holder_name,
        d.reason, d.reported_reading, d.status, to_char(d.opened_at, 'FMDD FMMonth YYYY, HH24:MI') AS opened_text,
        to_char(d.decided_at, 'FMDD FMMonth YYYY, HH24:MI') AS decided_text, d.decision, cn.number AS credit_note,
        (SELECT r.number FROM bills r WHERE r.replaces_bill_id = b.id) AS replacement_bill,
        b.closing_value, b.closing_on::text AS closing_on, b.estimated
        """
    static let joins: SQL = """
        disputes d JOIN bills b ON b.id = d.bill_id JOIN accounts a ON a.id = d.account_id
        LEFT JOIN credit_notes cn ON cn.id = d.credit_note_id
        """

    init(row: Row) throws {
        id = try row.decode("id")
        billNumber = try row.decode("bill_number")
        billPeriod = BillingPeriod(try row.decode("bill_period", as: String.self))!
        billTotal = Money(minorUnits: try row.decode("bill_total"))
        accountNumber = try row.decode("account_number")
        holderName = try row.decode("holder_name")
        reason = try row.decode("reason")
        reportedReading = try row.decode("reported_reading")
        status = Status(rawValue: try row.decode("status"))!
        openedText = try row.decode("opened_text")
        decidedText = try row.decode("decided_text")
        decision = try row.decode("decision")
        creditNote = try row.decode("credit_note")
        replacementBill = try row.decode("replacement_bill")
        billedClosing = try row.decode("closing_value")
        billedClosingOn = try row.decode("closing_on")
        billEstimated = try row.decode("estimated")
    }

    /// The disputes of one bill, oldest first: the consumer's and finance's history of it.
    public static func of(billNumber: String, in database: Database) async throws -> [Dispute] {
        try await database.query("SELECT \(columns) FROM \(joins) WHERE b.number = \(billNumber) ORDER BY d.opened_at, d.id").rows.map(
            Dispute.init(row:))
    }

    public static func find(_ id: Int64, in database: Database) async throws -> Dispute {
        guard let row = try await database.query("SELECT \(columns) FROM \(joins) WHERE d.id = \(id)").rows.first else {
            throw NotFound("dispute")
        }
        return try Dispute(row: row)
    }

    /// Finance's queue: open disputes, oldest first.
    public static func queue(in database: Database, limit: Int = 200) async throws -> [Dispute] {
        try await database.query("SELECT \(columns) FROM \(joins) WHERE d.status = 'open' ORDER BY d.opened_at, d.id LIMIT \(limit)").rows.map(
            Dispute.init(row:))
    }
}
