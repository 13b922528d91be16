import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Accounts
@testable import Identity
@testable import Platform
@testable import Tickets
@testable import Web

/// TK-1 … TK-3 through the pages: a consumer raises and follows a ticket and sees only their
/// own; support answers and moves it in the queue; every form answers bad input next to the field.
@Suite("Ticket pages")
struct TicketPagesTests {
    static func accountID(_ index: Int, _ db: Database) async throws -> Int64 {
        try await db.query("SELECT id FROM accounts WHERE account_number = $1", [DemoAccounts.accounts[index].number]).rows[0].decode("id")
    }

    @Test("a consumer raises a ticket, follows it, and cannot open another consumer's")
    func consumerRaisesAndFollows() async throws {
        try await withMember { browser, db in
            try await browser.get("/login")
            try await browser.post("/login", [("login", Member.username), ("password", Member.password)])
            let routes = Routes.site
            #expect(try await browser.get(routes.account.url()).text.contains(routes.accountTickets.url()))
            #expect(try await browser.get(routes.accountTickets.url()).text.contains("You have raised no tickets."))

            // Every field's problem at once, next to the field, with what was typed kept.
            let refused = try await browser.post(
                routes.accountTickets.url(), [("category", "weather"), ("subject", "Hi"), ("details", "It's bad"), ("about", "bill:NOPE-1")])
            #expect(refused.status == .unprocessableContent)
            for message in ["Choose what it is about.", "Give it a short title", "Tell us what happened"] {
                #expect(refused.text.contains(message))
            }
            #expect(refused.text.contains("value=\"Hi\""))
            #expect(refused.text.contains("aria-invalid=\"true\""))
            #expect(try await db.query("SELECT count(*) AS n FROM tickets").rows[0].decode("n", as: Int.self) == 0)
            let unknownBill = try await browser.post(
                routes.accountTickets.url(),
                [("category", "billing"), ("subject", "Wrong bill"), ("details", "The bill is far too high."), ("about", "bill:NOPE-1")])
            #expect(unknownBill.status == .unprocessableContent)
            #expect(unknownBill.text.contains("That bill is not one of this premise’s."))

            let raised = try await browser.post(
                routes.accountTickets.url(),
                [("category", "outage"), ("subject", "No power since 6 am"), ("details", "The whole street is dark.\r\nSince 6 am."), ("about", "")])
            #expect(raised.status == .seeOther)
            let location = try #require(raised.headers[.location])
            let number = try #require(location.split(separator: "/").last.map(String.init))
            #expect(location == routes.accountTicket.url(number))
            let page = try await browser.get(location).text
            #expect(page.contains("No power since 6 am"))
            #expect(page.contains("within 1 day"))
            #expect(page.contains("The whole street is dark.\nSince 6 am."))
            #expect(page.contains("<span class=\"tag\">Open</span>"))

            // Answers from the consumer: empty is refused; a reopen of an open ticket is explained.
            let empty = try await browser.post(routes.accountTicketComment.url(number), [("comment", " ")])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.text.contains("Write what you want to tell us."))
            let reopen = try await browser.post(routes.accountTicketReopen.url(number), [("reason", "It is still dark.")])
            #expect(reopen.status == .unprocessableContent)
            #expect(reopen.text.contains("Only a resolved ticket can be reopened."))
            let rating = try await browser.post(routes.accountTicketRating.url(number), [("rating", "5")])
            #expect(rating.status == .unprocessableContent)
            #expect(rating.text.contains("You can rate a ticket once it is closed."))
            #expect(try await browser.post(routes.accountTicketComment.url(number), [("comment", "Still dark at noon.")]).status == .seeOther)
            #expect(try await browser.get(location).text.contains("Still dark at noon."))

            // Another consumer's ticket is as absent as a made-up one.
            let other = try await RaiseTicket(database: db, settings: TicketSettings()).run(
                accountID: try await Self.accountID(1, db), category: "billing", subject: "Someone else's", details: "Not Maria's ticket at all.",
                consumerID: nil, openedBy: try await db.query("SELECT id FROM users WHERE username = $1", [Member.username]).rows[0].decode("id"))
            #expect(try await browser.get(routes.accountTicket.url(other.number)).status == .notFound)
            #expect(try await browser.post(routes.accountTicketComment.url(other.number), [("comment", "Let me in")]).status == .notFound)
            #expect(try await browser.get(routes.accountTicket.url("TK-2026-999999")).status == .notFound)
            #expect(!(try await browser.get(routes.accountTickets.url()).text.contains(other.number)))
        }
    }

    @Test("support answers from the queue, an illegal step is explained, and an alert becomes a ticket once")
    func supportWorksTheQueue() async throws {
        try await withStaff([.support]) { browser, db, services in
            let routes = Routes.site
            let staffID = try await db.query("SELECT id FROM users WHERE username = 'sam.staff'").rows[0].decode("id", as: Int64.self)
            let ticket = try await RaiseTicket(database: db, settings: TicketSettings()).run(
                accountID: try await Self.accountID(0, db), category: "voltage", subject: "Lights flicker", details: "Every evening at 7.",
                consumerID: nil, openedBy: staffID, byStaff: true)
            let queue = try await browser.get(routes.tickets.url()).text
            #expect(queue.contains(ticket.number))
            #expect(queue.contains("Lights flicker"))
            // Filters that make no sense show an empty or full queue, never an error.
            let odd = try await browser.get(routes.tickets.url() + "?status=closed&category=weather&age=abc&assignee=x&area=%00")
            #expect(odd.status == .ok)
            #expect(!(odd.text.contains(ticket.number)))

            let page = routes.ticket.url(ticket.number)
            #expect(try await browser.get(page).text.contains("Engineer booked"))
            let empty = try await browser.post(routes.ticketAnswer.url(ticket.number), [("answer", ""), ("status", "")])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.text.contains("Write an answer, or choose a new status."))
            // A ready answer is sent as it is when nothing is typed.
            let canned = try await db.query("SELECT id FROM canned_replies WHERE title = 'Engineer booked'").rows[0].decode("id", as: Int64.self)
            #expect(
                try await browser.post(
                    routes.ticketAnswer.url(ticket.number), [("answer", ""), ("canned", String(canned)), ("status", "in_progress")]
                )
                .status == .seeOther)
            #expect(try await browser.get(page).text.contains("An engineer will visit"))
            #expect(
                try await browser.post(routes.ticketAnswer.url(ticket.number), [("answer", "Cable replaced."), ("status", "resolved")]).status
                    == .seeOther)
            let illegal = try await browser.post(routes.ticketAnswer.url(ticket.number), [("answer", ""), ("status", "waiting")])
            #expect(illegal.status == .unprocessableContent)
            #expect(illegal.text.contains("cannot be moved to “waiting on customer”"))
            let unknown = try await browser.post(routes.ticketAnswer.url(ticket.number), [("answer", "x"), ("status", "lost")])
            #expect(unknown.text.contains("Choose a status from the list."))

            // Assign and merge, with bad input answered next to the field.
            #expect(try await browser.post(routes.ticketAssign.url(ticket.number), [("assignee", "me")]).status == .seeOther)
            #expect(try await browser.get(page).text.contains("Assigned to Sam Staff."))
            let badMerge = try await browser.post(routes.ticketMerge.url(ticket.number), [("into", "yesterday's")])
            #expect(badMerge.status == .unprocessableContent)
            #expect(badMerge.text.contains("Type the number of the ticket it duplicates"))
            let missing = try await browser.post(routes.ticketMerge.url(ticket.number), [("into", "TK-2026-999999")])
            #expect(missing.text.contains("There is no ticket TK-2026-999999."))

            // MT-6 → TK-1: an alert becomes a ticket for the account's consumer, once.
            let alert = try await db.query(
                "INSERT INTO consumption_alerts (account_id, kind, detail) VALUES ($1, 'zero_use', 'No use for 30 days') RETURNING id",
                [try await Self.accountID(0, db)]
            ).rows[0].decode("id", as: Int64.self)
            #expect(try await browser.get(routes.opsAlerts.url()).text.contains(routes.ticketFromAlert.url(String(alert))))
            let opened = try await browser.post(routes.ticketFromAlert.url(String(alert)))
            #expect(opened.status == .seeOther)
            let again = try await browser.post(routes.ticketFromAlert.url(String(alert)))
            #expect(again.headers[.location] == opened.headers[.location])
            #expect(try await db.query("SELECT count(*) AS n FROM tickets WHERE alert_id = $1", [alert]).rows[0].decode("n", as: Int.self) == 1)
            #expect(try await browser.post(routes.ticketFromAlert.url("999999")).status == .notFound)
        }
    }

    @Test("an administrator sets the service standards; a wrong value is named in its row")
    func serviceStandards() async throws {
        try await withStaff([.admin]) { browser, db, services in
            let url = Routes.site.serviceStandards.url()
            #expect(try await browser.get(url).text.contains("Meter"))
            var fields: [(String, String)] = TicketCategory.allCases.flatMap {
                [("\($0.rawValue).urban", "5"), ("\($0.rawValue).rural", "9"), ("\($0.rawValue).compensation", "20.00")]
            }
            fields.append(("rural_areas", "Eastholm\r\n\r\nHill Farms"))
            var bad = fields
            bad[0] = ("billing.urban", "0")
            bad[5] = ("outage.compensation", "lots")
            let refused = try await browser.post(url, bad)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("Targets are whole days from 1 to 365."))
            #expect(refused.text.contains("Compensation is an amount such as 50.00."))
            #expect(
                try await db.query("SELECT urban_days FROM ticket_standards WHERE category = 'billing'").rows[0].decode("urban_days", as: Int.self)
                    == 7)
            #expect(try await browser.post(url, fields).status == .seeOther)
            let standards = try await ServiceStandards(database: db).all()
            #expect(standards.allSatisfy { $0.urbanDays == 5 && $0.ruralDays == 9 && $0.compensationPerDay == Money(minorUnits: 2000) })
            #expect(try await ServiceStandards(database: db).ruralAreas() == ["Eastholm", "Hill Farms"])
        }
    }
}
