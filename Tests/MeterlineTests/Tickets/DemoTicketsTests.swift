import Foundation
import Testing

@testable import Billing
@testable import Metering
@testable import Platform
@testable import Tickets

/// The demo town's tickets fill support's queue with tickets whose clocks hold together.
@Suite("Demo tickets (TK-3)")
struct DemoTicketsTests {
    @Test("the demo's tickets are numbered without gaps, every state has its clock, and a second seed adds none")
    func demoTicketsFillTheQueue() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoPopulation(database: db).seed(accounts: 400)
            let support = try await db.query(
                """
                INSERT INTO users (username, full_name, password_hash, kind, status, roles)
                VALUES ('demo.support', 'Sam Support', '$argon2id$placeholder', 'staff', 'active', '{support}') RETURNING id
                """
            ).rows[0].decode("id", as: Int64.self)
            let demo = DemoTickets(database: db, settings: TicketSettings())
            let made = try await demo.seed(supportID: support)
            let expected = try await db.query("SELECT count(*) AS n FROM accounts WHERE id % 40 = 7").rows[0].decode("n", as: Int.self)
            #expect(made == expected && made > 0)
            #expect(try await demo.seed(supportID: support) == 0)
            let report = try await VerifyLedger(database: db).run()
            #expect(report.problems.isEmpty, "\(report.problems)")
            let page = try await TicketQueue(database: db).run(.init(), viewer: support)
            #expect(page.total == made)
            #expect(Set(page.tickets.map(\.status)).isSubset(of: [.open, .inProgress, .waiting, .resolved]))
            for ticket in page.tickets {
                #expect(ticket.clock.isRunning == ticket.status.clockRuns)
                let history = try await TicketHistory.of(ticketID: ticket.id, in: db)
                #expect(history.first?.kind == "opened")
                #expect(history.last?.status == (ticket.status == .open ? nil : ticket.status))
            }
            // A new ticket follows on from the demo's numbers.
            let account = try await db.query("SELECT id FROM accounts ORDER BY id LIMIT 1").rows[0].decode("id", as: Int64.self)
            let next = try await RaiseTicket(database: db, settings: TicketSettings()).run(
                accountID: account, category: "other", subject: "A new one", details: "After the demo tickets.", consumerID: nil,
                openedBy: support, byStaff: true)
            #expect(next.number.hasSuffix(String(format: "%06d", made + 1)))
        }
    }
}
