import Billing
import Foundation
import Platform

/// TK-1: a consumer raises a complaint or service request about one of their premises (or staff
/// raise one for an account, as from an abnormal-use alert) and gets its number at once. The
/// service standard's clock starts with the target of the category in the premise's area.
public struct RaiseTicket: Sendable {
    let database: Database
    let settings: TicketSettings

    public init(database: Database, settings: TicketSettings) {
        self.database = database
        self.settings = settings
    }

    /// Every field's problem at once.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var category: String?
        public var subject: String?
        public var details: String?
        public var about: String?
        public var description: String { [category, subject, details, about].compactMap { $0 }.joined(separator: " ") }
        var isEmpty: Bool { category == nil && subject == nil && details == nil && about == nil }
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case alertHasTicket(String)

        public var description: String {
            switch self {
            case .alertHasTicket(let number): "This alert has a ticket already: \(number)."
            }
        }
    }

    /// What the ticket is linked to, beside its premise.
    public enum About: Sendable, Equatable {
        case nothing
        case bill(String)
        case meter
        /// The meter if one is fitted, else nothing (a ticket staff open from an alert).
        case fittedMeter
    }

    public struct Raised: Sendable, Equatable {
        public let number: String
        public let targetDays: Int
    }

    /// Raises the ticket on `accountID` (whose premise the caller proved the person may see).
    /// `consumerID` is the consumer who raised it and follows it, nil when staff raise it (the
    /// account's owner follows it then); `openedBy` who raised it.
    public func run(
        accountID: Int64, category: String, subject: String, details: String, about: About = .nothing, consumerID: Int64?, openedBy: Int64,
        byStaff: Bool = false, alertID: Int64? = nil
    ) async throws -> Raised {
        let subject = WrittenText.cleaned(subject)
        let details = WrittenText.cleaned(details)
        var invalid = Invalid()
        let category = TicketCategory(rawValue: category)
        if category == nil { invalid.category = "Choose what it is about." }
        invalid.subject = WrittenText.problem(subject, 5...120)?.message(tooShort: "Give it a short title, such as “No power since this morning”.")
        invalid.details = WrittenText.problem(details, 10...4000)?.message(tooShort: "Tell us what happened, in a sentence or two.")
        guard invalid.isEmpty, let category else { throw invalid }
        let now = database.clock.now
        let year = CalendarDay.current(database.clock).year
        let prefix = settings.prefix
        return try await database.transaction { connection in
            guard
                let account = try connection.query(
                    """
                    SELECT a.id, a.area, EXISTS (SELECT 1 FROM rural_areas r WHERE r.area = a.area) AS rural,
                           s.urban_days, s.rural_days, s.compensation_per_day,
                           (SELECT i.meter_id FROM meter_installations i WHERE i.account_id = a.id AND i.removed_on IS NULL ORDER BY i.installed_on DESC LIMIT 1) AS meter_id
                    FROM accounts a, ticket_standards s WHERE a.id = \(accountID) AND s.category = \(category)
                    """
                ).rows.first
            else { throw NotFound("premise") }
            var billID: Int64?
            var meterID: Int64?
            switch about {
            case .nothing: break
            case .bill(let number):
                billID = try connection.query("SELECT id FROM bills WHERE number = \(number) AND account_id = \(accountID)").rows.first?.decode("id")
                if billID == nil { throw Invalid(about: "That bill is not one of this premise’s.") }
            case .meter:
                meterID = try account.decode("meter_id")
                if meterID == nil { throw Invalid(about: "This premise has no meter fitted; choose “Nothing in particular”.") }
            case .fittedMeter:
                meterID = try account.decode("meter_id")
            }
            // The alert is held while its one ticket is made: a second click waits, then finds it.
            if let alertID, try connection.query("SELECT id FROM consumption_alerts WHERE id = \(alertID) FOR UPDATE").rows.isEmpty {
                throw NotFound("alert")
            }
            if let alertID,
                let existing = try connection.query("SELECT number FROM tickets WHERE alert_id = \(alertID)").rows.first?.decode(
                    "number", as: String.self)
            {
                throw Refused.alertHasTicket(existing)
            }
            let rural: Bool = try account.decode("rural")
            let days: Int = try account.decode(rural ? "rural_days" : "urban_days")
            let clock = ServiceClock(targetSeconds: Int64(days) * 86_400, usedSeconds: 0, runningSince: now)
            let number = try NumberSeries.next(in: prefix, year: year, on: connection)
            let id = try connection.query(
                """
                INSERT INTO tickets (number, account_id, consumer_id, opened_by, category, subject, bill_id, meter_id, alert_id, status, area, rural,
                                     opened_at, target_seconds, compensation_per_day, running_since, due_at, updated_at)
                VALUES (\(number), \(accountID), $1, \(openedBy), \(category), \(subject), $2, $3, $4, 'open', \(try account.decode("area", as: String.self)), \(rural),
                        \(now), \(clock.targetSeconds), \(try account.decode("compensation_per_day", as: Int64.self)), \(now), \(clock.dueAt!), \(now))
                RETURNING id
                """, [consumerID, billID, meterID, alertID]
            ).rows[0].decode("id", as: Int64.self)
            try TicketLog.write(.opened, ticket: id, by: openedBy, staff: byStaff, body: details, at: now, on: connection)
            try TicketLog.tell(
                TicketLog.Recipient(consumer: consumerID, account: accountID),
                "Meterline: \(byStaff ? "we opened" : "we have your") ticket \(number) (\(subject)). We aim to resolve it within \(days) days; you can follow it when you sign in.",
                on: connection)
            return Raised(number: number, targetDays: days)
        }
    }
}
