import Foundation
import Platform

/// A token as its buyer, a technician or support see it: its digits in groups of four, the
/// energy it carries, and whether it reached the meter.
public struct PrepaidToken: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case credit
        case emergency
        /// One of the two tokens that move a meter to a new key or base date; typed before the credit.
        case keyChange = "key_change"
    }

    public enum Delivery: Sendable, Equatable {
        /// The meter is not connected to the portal: the token is typed in on its keypad.
        case typeIn
        /// Waiting for the meter to connect.
        case waiting
        /// Passed to the meter; its answer has not come back yet.
        case sent
        case accepted(String)
        case refused(String)
    }

    public var kind: Kind
    public var digits: String
    public var tenths: Int
    public var delivery: Delivery
    public var issuedText: String?
    public var meterSerial = ""

    public init(kind: Kind, digits: String, tenths: Int, delivery: Delivery) {
        self.kind = kind
        self.digits = digits
        self.tenths = tenths
        self.delivery = delivery
    }

    /// "2371 6100 5011 8319 4197".
    public var grouped: String {
        stride(from: 0, to: digits.count, by: 4).map { start in
            let from = digits.index(digits.startIndex, offsetBy: start)
            return String(digits[from..<(digits.index(from, offsetBy: 4, limitedBy: digits.endIndex) ?? digits.endIndex)])
        }.joined(separator: " ")
    }

    /// "12.5 kWh".
    public var energy: String { "\(tenths / 10).\(tenths % 10) kWh" }

    static let columns: SQL = """
        t.kind, t.digits, t.units, m.serial, to_char(t.issued_at, 'FMDD FMMonth YYYY, HH24:MI') AS issued,
        t.command_id, c.sent_at IS NOT NULL AS sent, c.ok, c.answer
        """
    static let source: SQL = "prepaid_tokens t JOIN meters m ON m.id = t.meter_id LEFT JOIN meter_commands c ON c.id = t.command_id"

    init(row: Row) throws {
        kind = Kind(rawValue: try row.decode("kind")) ?? .credit
        digits = try row.decode("digits")
        tenths = try row.decode("units")
        meterSerial = try row.decode("serial")
        issuedText = try row.decode("issued")
        let command: Int64? = try row.decode("command_id")
        let ok: Bool? = try row.decode("ok")
        let answer: String? = try row.decode("answer")
        delivery =
            switch (command, ok) {
            case (nil, _): .typeIn
            case (_, true?): .accepted(answer ?? "Accepted.")
            case (_, false?): .refused(answer ?? "Refused.")
            case (_, nil): try row.decode("sent") ? .sent : .waiting
            }
    }
}

/// The tokens of a payment, an account or a meter, newest first.
public struct PrepaidTokens: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Meter: Sendable, Equatable {
        public let id: Int64
        public let serial: String
    }

    /// The prepaid meters installed at an active prepaid account's premise (a postpaid account is
    /// billed for its use, so it buys no tokens).
    public func meters(of accountID: Int64) async throws -> [Meter] {
        try await database.query(
            """
            SELECT m.id, m.serial FROM meter_installations i JOIN meters m ON m.id = i.meter_id JOIN accounts a ON a.id = i.account_id
            WHERE i.account_id = \(accountID) AND i.removed_on IS NULL AND m.kind = 'prepaid'
              AND a.billing_type = 'prepaid' AND a.status = 'active'
            ORDER BY m.serial
            """
        ).rows.map { Meter(id: try $0.decode("id"), serial: try $0.decode("serial")) }
    }

    public func forPayment(_ paymentID: Int64) async throws -> [PrepaidToken] {
        try await database.query("SELECT \(PrepaidToken.columns) FROM \(PrepaidToken.source) WHERE t.payment_id = \(paymentID) ORDER BY t.id")
            .rows.map(PrepaidToken.init(row:))
    }

    public func forAccount(_ accountID: Int64, limit: Int = 20) async throws -> [PrepaidToken] {
        try await database.query(
            "SELECT \(PrepaidToken.columns) FROM \(PrepaidToken.source) WHERE t.account_id = \(accountID) ORDER BY t.id DESC LIMIT \(limit)"
        ).rows.map(PrepaidToken.init(row:))
    }

    public func forMeter(_ meterID: Int64, limit: Int = 20) async throws -> [PrepaidToken] {
        try await database.query(
            "SELECT \(PrepaidToken.columns) FROM \(PrepaidToken.source) WHERE t.meter_id = \(meterID) ORDER BY t.id DESC LIMIT \(limit)"
        ).rows.map(PrepaidToken.init(row:))
    }
}
