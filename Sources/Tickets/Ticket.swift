import Foundation
import Platform

extension TicketStatus: SQLEncodable, SQLDecodable {}
extension TicketCategory: SQLEncodable, SQLDecodable {}

/// TK-1 … TK-3: a complaint or service request, as both sides read it.
public struct Ticket: Sendable, Equatable {
    public let id: Int64
    public let number: String
    public let accountID: Int64
    public let accountNumber: String
    public let holderName: String
    public let supplyAddress: String
    public let area: String
    public let consumerID: Int64?
    public let category: TicketCategory
    public let subject: String
    public let billNumber: String?
    public let meterSerial: String?
    public let alertID: Int64?
    public let status: TicketStatus
    public let rural: Bool
    public let assigneeID: Int64?
    public let assigneeName: String?
    public let openedAt: Date
    /// "2 December 2026, 14:05", in the utility's time zone.
    public let openedText: String
    public let clock: ServiceClock
    public let resolvedAt: Date?
    public let escalated: Bool
    public let mergedInto: String?
    public let rating: Int?

    static let columns: SQL = """
        t.id, t.number, t.account_id, a.account_number, a.holder_name, a.supply_address, t.area, t.consumer_id, t.category, t.subject,
        b.number AS bill_number, m.serial AS meter_serial, t.alert_id, t.status, t.rural, t.assignee_id, s.full_name AS assignee_name,
        t.opened_at, to_char(t.opened_at, 'FMDD FMMonth YYYY, HH24:MI') AS opened_text,
        t.target_seconds, t.used_seconds, t.running_since, t.resolved_at, t.escalated_at IS NOT NULL AS escalated,
        mt.number AS merged_into, t.rating
        """
    static let joins: SQL = """
        tickets t JOIN accounts a ON a.id = t.account_id LEFT JOIN bills b ON b.id = t.bill_id LEFT JOIN meters m ON m.id = t.meter_id
        LEFT JOIN users s ON s.id = t.assignee_id LEFT JOIN tickets mt ON mt.id = t.merged_into
        """

    init(row: Row) throws {
        id = try row.decode("id")
        number = try row.decode("number")
        accountID = try row.decode("account_id")
        accountNumber = try row.decode("account_number")
        holderName = try row.decode("holder_name")
        supplyAddress = try row.decode("supply_address")
        area = try row.decode("area")
        consumerID = try row.decode("consumer_id")
        category = try row.decode("category")
        subject = try row.decode("subject")
        billNumber = try row.decode("bill_number")
        meterSerial = try row.decode("meter_serial")
        alertID = try row.decode("alert_id")
        status = try row.decode("status")
        rural = try row.decode("rural")
        assigneeID = try row.decode("assignee_id")
        assigneeName = try row.decode("assignee_name")
        openedAt = try row.decode("opened_at")
        openedText = try row.decode("opened_text")
        clock = ServiceClock(
            targetSeconds: try row.decode("target_seconds"), usedSeconds: try row.decode("used_seconds"),
            runningSince: try row.decode("running_since"))
        resolvedAt = try row.decode("resolved_at")
        escalated = try row.decode("escalated")
        mergedInto = try row.decode("merged_into")
        rating = try row.decode("rating", as: Int?.self)
    }

    /// A ticket by its number, for staff.
    public static func find(_ number: String, in database: Database) async throws -> Ticket {
        guard let row = try await database.query("SELECT \(columns) FROM \(joins) WHERE t.number = \(number)").rows.first else {
            throw NotFound("ticket")
        }
        return try Ticket(row: row)
    }

    /// The tickets a consumer follows: those they raised, and those staff raised on the account
    /// they own (`consumer_id` NULL), so an owner who registers later finds them too.
    static func followedBy(_ userID: Int64) -> SQL {
        """
        (t.consumer_id = \(userID) OR (t.consumer_id IS NULL
            AND t.account_id = (SELECT u.account_id FROM users u WHERE u.id = \(userID) AND u.kind = 'consumer')))
        """
    }

    /// A ticket by its number, if this consumer follows it; another's is as unknown as a made-up number.
    public static func find(_ number: String, consumer userID: Int64, in database: Database) async throws -> Ticket {
        guard
            let row = try await database.query("SELECT \(columns) FROM \(joins) WHERE t.number = \(number) AND \(followedBy(userID))").rows.first
        else { throw NotFound("ticket") }
        return try Ticket(row: row)
    }

    /// The tickets a consumer follows, newest first.
    public static func of(consumer userID: Int64, in database: Database, limit: Int = 100) async throws -> [Ticket] {
        try await database.query(
            "SELECT \(columns) FROM \(joins) WHERE \(followedBy(userID)) ORDER BY t.opened_at DESC, t.id DESC LIMIT \(limit)"
        ).rows.map(Ticket.init(row:))
    }

    /// Whether the consumer may still reopen it (TK-3: within the reopen window after resolution).
    public func reopenable(now: Date, settings: TicketSettings) -> Bool {
        guard status == .resolved, let resolvedAt else { return false }
        return now < settings.reopenDeadline(after: resolvedAt)
    }
}
