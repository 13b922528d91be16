import Foundation
import Platform

/// One payment, as consumers and finance see it (BL-5).
public struct Payment: Sendable, Equatable {
    public enum Method: String, Sendable, CaseIterable {
        case online
        case office
        case bankTransfer = "bank_transfer"

        public var title: String {
            switch self {
            case .online: "Online"
            case .office: "At the office"
            case .bankTransfer: "Bank transfer"
            }
        }
    }

    public enum Status: String, Sendable {
        /// Online: the consumer is at the gateway, or the gateway has not confirmed yet.
        case pending
        case succeeded
        case failed
        /// A chargeback took it back.
        case reversed
        /// Office or bank transfer: recorded, waiting for a second finance user.
        case awaitingVerification = "awaiting_verification"
        case rejected
    }

    public let id: Int64
    public let accountID: Int64
    public let accountNumber: String
    public let amount: Money
    public let method: Method
    public let status: Status
    public let reference: String?
    public let receiptNumber: String?
    public let createdAt: Date
    public let createdBy: Int64
    public let creditedAt: Date?
    public let reversedAt: Date?
    public let failure: String?
    /// A purchase of prepaid credit for this meter (BL-8).
    public let meterID: Int64?
    /// The part of a prepaid purchase that paid what the account owed; the rest bought energy.
    public let debtRecovered: Money
    /// The times as people read them, in the utility's time zone: "2 December 2026, 14:05".
    public let createdText: String
    public let creditedText: String?
    public let reversedText: String?

    static let columns: SQL = """
        p.id, p.account_id, a.account_number, p.amount, p.method, p.status, p.reference, p.receipt_number, p.created_at, p.created_by,
        p.credited_at, p.reversed_at, p.failure, p.meter_id, p.debt_recovered,
        to_char(p.created_at, 'FMDD FMMonth YYYY, HH24:MI') AS created_text, to_char(p.credited_at, 'FMDD FMMonth YYYY, HH24:MI') AS credited_text,
        to_char(p.reversed_at, 'FMDD FMMonth YYYY, HH24:MI') AS reversed_text
        """

    /// The table and the account it belongs to, as `columns` reads them.
    static let source: SQL = "payments p JOIN accounts a ON a.id = p.account_id"

    static func find(_ id: Int64, on connection: PostgresConnection) throws -> Payment {
        try Payment(row: connection.query("SELECT \(columns) FROM \(source) WHERE p.id = \(id)").rows[0])
    }

    init(row: Row) throws {
        id = try row.decode("id")
        accountID = try row.decode("account_id")
        accountNumber = try row.decode("account_number")
        amount = Money(minorUnits: try row.decode("amount"))
        method = Method(rawValue: try row.decode("method"))!
        status = Status(rawValue: try row.decode("status"))!
        reference = try row.decode("reference")
        receiptNumber = try row.decode("receipt_number")
        createdAt = try row.decode("created_at")
        createdBy = try row.decode("created_by")
        creditedAt = try row.decode("credited_at")
        reversedAt = try row.decode("reversed_at")
        failure = try row.decode("failure")
        meterID = try row.decode("meter_id")
        debtRecovered = Money(minorUnits: try row.decode("debt_recovered"))
        createdText = try row.decode("created_text")
        creditedText = try row.decode("credited_text")
        reversedText = try row.decode("reversed_text")
    }

    /// A bill a payment settled, in whole or in part, when it was credited.
    public struct Allocation: Sendable, Equatable {
        public let billNumber: String
        public let period: String
        public let amount: Money
    }
}
