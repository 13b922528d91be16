import Foundation
import Testing

@testable import Accounts
@testable import Billing
@testable import Identity
@testable import Platform
@testable import Tickets

/// TK-1 … TK-3: tickets get their number at once, move through their statuses only by the allowed
/// steps, keep a service clock that stops while waiting on the customer, pay compensation once
/// for a breach, can be reopened for 14 days, close by themselves and escalate.
@Suite("Complaint tickets (TK-1 … TK-3)")
struct TicketTests {
    static let day: TimeInterval = 86_400
    static let settings = TicketSettings()

    struct People {
        let accountID: Int64
        let otherAccountID: Int64
        let consumer: Int64
        let otherConsumer: Int64
        let support: Int64
    }

    /// The demo accounts, a consumer on each of the first two, and a support staff member, on a
    /// database whose clock the test moves.
    static func withTickets(_ body: (Database, MovableClock, People) async throws -> Void) async throws {
        let clock = MovableClock(Date(timeIntervalSince1970: 1_780_000_000))
        try await withTestDatabase(clock: clock) { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            var ids: [Int64] = []
            for (index, username) in ["tara.tickets", "otto.other"].enumerated() {
                let account = DemoAccounts.accounts[index]
                ids.append(
                    try await db.query(
                        """
                        INSERT INTO users (username, full_name, password_hash, kind, status, account_id, mobile, mobile_verified_at)
                        VALUES ($1, $1, '$argon2id$placeholder', 'consumer', 'active', (SELECT id FROM accounts WHERE account_number = $2), $3, now())
                        RETURNING id
                        """, [username, account.number, account.mobile]
                    ).rows[0].decode("id"))
            }
            let support = try await db.query(
                """
                INSERT INTO users (username, full_name, password_hash, kind, status, roles)
                VALUES ('sue.support', 'Sue Support', '$argon2id$placeholder', 'staff', 'active', '{support}') RETURNING id
                """
            ).rows[0].decode("id", as: Int64.self)
            let accounts = try await db.query(
                "SELECT id FROM accounts WHERE account_number = ANY ($1::text[]) ORDER BY account_number = $2 DESC",
                [TextList([DemoAccounts.accounts[0].number, DemoAccounts.accounts[1].number]), DemoAccounts.accounts[0].number]
            ).rows.map { try $0.decode("id", as: Int64.self) }
            try await body(
                db, clock, People(accountID: accounts[0], otherAccountID: accounts[1], consumer: ids[0], otherConsumer: ids[1], support: support))
        }
    }

    static func raise(_ db: Database, _ people: People, category: String = "meter_fault", subject: String = "Meter display is blank") async throws
        -> String
    {
        try await RaiseTicket(database: db, settings: settings).run(
            accountID: people.accountID, category: category, subject: subject, details: "The meter shows nothing since Monday.",
            consumerID: people.consumer, openedBy: people.consumer
        ).number
    }

    static func messages(_ db: Database) async throws -> [String] {
        try await db.query("SELECT body FROM notifications WHERE purpose = 'ticket' ORDER BY id").rows.map { try $0.decode("body") }
    }

    @Test("a ticket gets its number at once, and the target of its category in the premise's area")
    func raisingATicket() async throws {
        try await Self.withTickets { (db: Database, clock: MovableClock, people: People) async throws in
            let first = try await Self.raise(db, people)
            #expect(first.wholeMatch(of: /TK-[0-9]{4}-000001/) != nil)
            let ticket = try await Ticket.find(first, consumer: people.consumer, in: db)
            #expect(ticket.status == .open)
            #expect(ticket.clock.targetSeconds == 7 * 86_400)
            #expect(ticket.meterSerial == nil)
            await #expect(throws: RaiseTicket.Invalid(about: "This premise has no meter fitted; choose “Nothing in particular”.")) {
                try await RaiseTicket(database: db, settings: Self.settings).run(
                    accountID: people.accountID, category: "meter_fault", subject: "Meter display is blank", details: "The meter shows nothing.",
                    about: .meter, consumerID: people.consumer, openedBy: people.consumer)
            }
            #expect(try await Self.messages(db).last?.contains(first) == true)
            // The same category in a rural area has the rural target.
            try await db.query("INSERT INTO rural_areas (area) SELECT area FROM accounts WHERE id = $1", [people.accountID])
            let rural = try await RaiseTicket(database: db, settings: Self.settings).run(
                accountID: people.accountID, category: "meter_fault", subject: "Meter ticks loudly", details: "It ticks all night long.",
                consumerID: people.consumer, openedBy: people.consumer)
            #expect(rural.targetDays == 15)
            #expect(try await Ticket.find(rural.number, in: db).rural)
        }
    }

    @Test("a ticket with bad fields is refused with every field's problem, and nothing is stored")
    func badTicketsAreRefused() async throws {
        try await Self.withTickets { (db: Database, clock: MovableClock, people: People) async throws in
            let raise = RaiseTicket(database: db, settings: Self.settings)
            await #expect(
                throws: RaiseTicket.Invalid(
                    category: "Choose what it is about.", subject: "Give it a short title, such as “No power since this morning”.",
                    details: "The text holds a character that cannot be stored (a NUL). Type it again.")
            ) {
                try await raise.run(
                    accountID: people.accountID, category: "weather", subject: " ab ", details: "Something\0 happened here",
                    consumerID: people.consumer,
                    openedBy: people.consumer)
            }
            await #expect(throws: RaiseTicket.Invalid(about: "That bill is not one of this premise’s.")) {
                try await raise.run(
                    accountID: people.accountID, category: "billing", subject: "Wrong bill", details: "This bill is not mine at all.",
                    about: .bill("MTL-2026-999999"), consumerID: people.consumer, openedBy: people.consumer)
            }
            #expect(try await db.query("SELECT count(*) AS n FROM tickets").rows[0].decode("n", as: Int.self) == 0)
            #expect(try await db.query("SELECT count(*) AS n FROM bill_number_series WHERE prefix = 'TK'").rows[0].decode("n", as: Int.self) == 0)
        }
    }

    @Test("an illegal step is refused with a clear message")
    func stateMachine() async throws {
        try await Self.withTickets { (db: Database, clock: MovableClock, people: People) async throws in
            let number = try await Self.raise(db, people)
            let answer = AnswerTicket(database: db, settings: Self.settings)
            try await answer.run(number, answer: "We are on it.", status: "in_progress", by: people.support)
            await #expect(throws: TicketRefusal.illegalStep(from: .inProgress, to: .open)) {
                try await answer.run(number, answer: "", status: "open", by: people.support)
            }
            await #expect(throws: AnswerTicket.Invalid(answer: "Write an answer, or choose a new status.")) {
                try await answer.run(number, answer: "  ", status: "", by: people.support)
            }
            // A page another member already moved on: refused, and nobody is told of nothing.
            let toldBefore = try await Self.messages(db).count
            await #expect(throws: AnswerTicket.Invalid(status: "It is “in progress” already.")) {
                try await answer.run(number, answer: "", status: "in_progress", by: people.support)
            }
            #expect(try await Self.messages(db).count == toldBefore)
            try await answer.run(number, answer: "Fixed: a new display.", status: "resolved", by: people.support)
            await #expect(throws: TicketRefusal.illegalStep(from: .resolved, to: .waiting)) {
                try await answer.run(number, answer: "", status: "waiting", by: people.support)
            }
            #expect(
                TicketRefusal.illegalStep(from: .resolved, to: .waiting).description
                    == "A resolved ticket cannot be moved to “waiting on customer”: the consumer may reopen it.")
            await #expect(throws: TicketRefusal.resolved) {
                try await CommentOnTicket(database: db).run(number, comment: "Thanks!", consumer: people.consumer)
            }
            let told = try await Self.messages(db)
            #expect(told.last?.contains("is resolved. If it is not, reopen it within 14 days") == true)
            #expect(told.last?.contains("Fixed: a new display.") == true)
            // The history holds every step, in order.
            let history = try await TicketHistory.of(ticketID: try await Ticket.find(number, in: db).id, in: db)
            #expect(history.map(\.kind) == ["opened", "comment", "status", "comment", "status"])
            #expect(history.compactMap(\.status) == [.inProgress, .resolved])
        }
    }

    @Test("the service clock stops while the ticket waits on the customer, and a breach shows in the queue")
    func serviceClockPauses() async throws {
        try await Self.withTickets { (db: Database, clock: MovableClock, people: People) async throws in
            let number = try await Self.raise(db, people)
            let answer = AnswerTicket(database: db, settings: Self.settings)
            clock.advance(by: 2 * Self.day)
            try await answer.run(number, answer: "Please send a photo of the meter.", status: "waiting", by: people.support)
            clock.advance(by: 10 * Self.day)
            var ticket = try await Ticket.find(number, in: db)
            #expect(ticket.clock.left(at: clock.now) == Int64(5 * Self.day))
            #expect(ticket.clock.text(at: clock.now) == "5 d left, paused")
            // The consumer's answer starts it again.
            try await CommentOnTicket(database: db).run(number, comment: "Photo: the display is blank.", consumer: people.consumer)
            ticket = try await Ticket.find(number, in: db)
            #expect(ticket.status == .inProgress)
            let queue = TicketQueue(database: db)
            #expect(try await queue.run(.init(breachedOnly: true), viewer: people.support).tickets.isEmpty)
            clock.advance(by: 6 * Self.day)
            ticket = try await Ticket.find(number, in: db)
            #expect(ticket.clock.breached(at: clock.now))
            #expect(ticket.clock.daysLate(at: clock.now) == 1)
            #expect(try await queue.run(.init(breachedOnly: true), viewer: people.support).tickets.map(\.number) == [number])
            #expect(try await queue.run(.init(status: "waiting"), viewer: people.support).tickets.isEmpty)
        }
    }

    @Test("a breach is compensated once, as a ledger adjustment, when the ticket closes")
    func breachIsCompensatedOnce() async throws {
        try await Self.withTickets { (db: Database, clock: MovableClock, people: People) async throws in
            // Billing: 7 days in town, 50.00 a day late.
            let number = try await Self.raise(db, people, category: "billing", subject: "Charged twice")
            clock.advance(by: 9 * Self.day + 3_600)
            try await AnswerTicket(database: db, settings: Self.settings).run(
                number, answer: "Refunded the second charge.", status: "resolved", by: people.support)
            let ticketClock = RunTicketClock(database: db, settings: Self.settings)
            clock.advance(by: 13 * Self.day)
            #expect(try await ticketClock.run() == .init())
            clock.advance(by: 2 * Self.day)
            #expect(try await ticketClock.run() == .init(closed: 1, compensated: 1))
            #expect(try await ticketClock.run() == .init())
            let entries = try await db.query("SELECT kind, amount, note FROM ledger_entries WHERE account_id = $1", [people.accountID]).rows
            #expect(entries.count == 1)
            #expect(try entries[0].decode("amount", as: Int64.self) == -15_000)
            #expect(try entries[0].decode("note", as: String.self).contains(number))
            #expect(
                try await db.query("SELECT balance FROM account_balances WHERE account_id = $1", [people.accountID]).rows[0].decode(
                    "balance", as: Int64.self) == -15_000)
            #expect(try await VerifyLedger(database: db).run().problems == [])
            #expect(
                try await db.query("SELECT count(*) AS n FROM audit_log WHERE action = 'ticket.compensated' AND details->>'ticket' = $1", [number])
                    .rows[0].decode("n", as: Int.self) == 1)
            #expect(try await Self.messages(db).last?.contains("credited £150.00 to your account") == true)
            #expect(try await Ticket.find(number, in: db).status == .closed)
        }
    }

    @Test("the compensation shows on the account's next bill, as part of the balance brought to it")
    func compensationIsOnTheNextBill() async throws {
        let clock = MovableClock()
        try await TestBilling.withBilling(clock: clock) { db, drafter, approver in
            try await TestBilling.issue(TestBilling.recentMonths[1], db, drafter: drafter, approver: approver)
            let account = try await db.query("SELECT id FROM accounts WHERE account_number = $1", [DemoAccounts.accounts[0].number]).rows[0]
                .decode("id", as: Int64.self)
            let number = try await RaiseTicket(database: db, settings: Self.settings).run(
                accountID: account, category: "billing", subject: "Charged twice", details: "Two debits for one bill.", consumerID: nil,
                openedBy: drafter, byStaff: true
            ).number
            clock.advance(by: 8 * Self.day)
            try await AnswerTicket(database: db, settings: Self.settings).run(number, answer: "Refunded.", status: "resolved", by: drafter)
            clock.advance(by: 15 * Self.day)
            #expect(try await RunTicketClock(database: db, settings: Self.settings).run() == .init(closed: 1, compensated: 1))
            clock.advance(by: 3_600)
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            let bill = try await db.query(
                "SELECT number FROM bills WHERE account_id = $1 AND period = $2::date", [account, TestBilling.recentMonths[2].first.description]
            ).rows[0].decode("number", as: String.self)
            let detail = try await AccountBills(database: db).detail(number: bill)
            #expect(detail.adjustments.map(\.amount) == [Money(minorUnits: -5_000)])
            #expect(detail.adjustments.first?.note.contains(number) == true)
            #expect(try await VerifyLedger(database: db).run().problems == [])
        }
    }

    @Test("a resolved ticket can be reopened for 14 days; then it closes by itself and asks for a rating, once")
    func reopenWindowAndRating() async throws {
        try await Self.withTickets { (db: Database, clock: MovableClock, people: People) async throws in
            let number = try await Self.raise(db, people)
            let answer = AnswerTicket(database: db, settings: Self.settings)
            let reopen = ReopenTicket(database: db, settings: Self.settings)
            try await answer.run(number, answer: "Replaced the display.", status: "resolved", by: people.support)
            clock.advance(by: 13 * Self.day)
            try await reopen.run(number, reason: "Blank again this morning.", consumer: people.consumer)
            var ticket = try await Ticket.find(number, in: db)
            #expect(ticket.status == .open)
            #expect(ticket.clock.isRunning)
            try await answer.run(number, answer: "Replaced the whole meter.", status: "resolved", by: people.support)
            clock.advance(by: 14 * Self.day + 60)
            await #expect(throws: TicketRefusal.reopenWindowPassed(days: 14)) {
                try await reopen.run(number, reason: "Still blank, sorry.", consumer: people.consumer)
            }
            await #expect(throws: TicketRefusal.notClosed) { try await RateTicket(database: db).run(number, rating: "4", consumer: people.consumer) }
            #expect(try await RunTicketClock(database: db, settings: Self.settings).run() == .init(closed: 1))
            ticket = try await Ticket.find(number, in: db)
            #expect(ticket.status == .closed)
            #expect(try await Self.messages(db).last?.contains("How did we do?") == true)
            await #expect(throws: TicketRefusal.reopenWindowPassed(days: 14)) {
                try await reopen.run(number, reason: "Still blank, sorry.", consumer: people.consumer)
            }
            await #expect(throws: RateTicket.Invalid()) { try await RateTicket(database: db).run(number, rating: "6", consumer: people.consumer) }
            try await RateTicket(database: db).run(number, rating: "4", consumer: people.consumer)
            await #expect(throws: TicketRefusal.alreadyRated) {
                try await RateTicket(database: db).run(number, rating: "5", consumer: people.consumer)
            }
            #expect(try await Ticket.find(number, in: db).rating == 4)
        }
    }

    @Test("a complaint unresolved after the escalation period tells the consumer where to escalate, once")
    func escalation() async throws {
        try await Self.withTickets { (db: Database, clock: MovableClock, people: People) async throws in
            let number = try await Self.raise(db, people)
            let ticketClock = RunTicketClock(database: db, settings: Self.settings)
            clock.advance(by: 44 * Self.day)
            #expect(try await ticketClock.run() == .init())
            clock.advance(by: 2 * Self.day)
            #expect(try await ticketClock.run() == .init(escalated: 1))
            #expect(try await ticketClock.run() == .init())
            let ticket = try await Ticket.find(number, in: db)
            #expect(ticket.escalated)
            let history = try await TicketHistory.of(ticketID: ticket.id, in: db)
            #expect(history.last?.kind == "escalated")
            #expect(history.last?.body?.contains(Self.settings.escalationForum) == true)
            #expect(try await Self.messages(db).last?.contains(Self.settings.escalationForum) == true)
        }
    }

    @Test("a duplicate is merged into the ticket that carries on; only tickets of one account merge")
    func merging() async throws {
        try await Self.withTickets { (db: Database, clock: MovableClock, people: People) async throws in
            let keeper = try await Self.raise(db, people)
            let duplicate = try await Self.raise(db, people, subject: "Meter blank again")
            let merge = MergeTicket(database: db)
            await #expect(throws: TicketRefusal.mergeIntoItself) { try await merge.run(keeper, into: keeper, by: people.support) }
            await #expect(throws: MergeTicket.Invalid()) { try await merge.run(duplicate, into: "keeper", by: people.support) }
            let other = try await RaiseTicket(database: db, settings: Self.settings).run(
                accountID: people.otherAccountID, category: "outage", subject: "No power at all", details: "Nothing works since 6 am.",
                consumerID: people.otherConsumer, openedBy: people.otherConsumer
            ).number
            await #expect(throws: TicketRefusal.mergeAcrossAccounts) { try await merge.run(duplicate, into: other, by: people.support) }
            // A resolved ticket closes by itself (with what it is owed), never by a merge.
            let staffRaised = try await RaiseTicket(database: db, settings: Self.settings).run(
                accountID: people.accountID, category: "meter_fault", subject: "Seal broken", details: "Found on a visit: the seal is broken.",
                consumerID: nil, openedBy: people.support, byStaff: true
            ).number
            try await AnswerTicket(database: db, settings: Self.settings).run(
                staffRaised, answer: "Sealed again.", status: "resolved", by: people.support)
            await #expect(throws: TicketRefusal.mergeResolved) { try await merge.run(staffRaised, into: keeper, by: people.support) }
            try await merge.run(duplicate, into: keeper.lowercased(), by: people.support)
            let merged = try await Ticket.find(duplicate, in: db)
            #expect(merged.status == .closed)
            #expect(merged.mergedInto == keeper)
            await #expect(throws: TicketRefusal.closed) { try await merge.run(duplicate, into: keeper, by: people.support) }
            await #expect(throws: TicketRefusal.mergedTicket) {
                try await RateTicket(database: db).run(duplicate, rating: "3", consumer: people.consumer)
            }
        }
    }

    @Test("a consumer cannot see another consumer's ticket, and tickets go only to support staff")
    func privacyAndAssignment() async throws {
        try await Self.withTickets { (db: Database, clock: MovableClock, people: People) async throws in
            let number = try await Self.raise(db, people)
            await #expect(throws: NotFound.self) { try await Ticket.find(number, consumer: people.otherConsumer, in: db) }
            await #expect(throws: NotFound.self) {
                try await CommentOnTicket(database: db).run(number, comment: "Let me in", consumer: people.otherConsumer)
            }
            #expect(try await Ticket.of(consumer: people.otherConsumer, in: db).isEmpty)
            await #expect(throws: TicketRefusal.notSupportStaff) {
                try await AssignTicket(database: db).run(number, to: people.consumer, by: people.support)
            }
            try await AssignTicket(database: db).run(number, to: people.support, by: people.support)
            #expect(try await Ticket.find(number, in: db).assigneeName == "Sue Support")
            #expect(try await TicketQueue(database: db).run(.init(assignee: "me"), viewer: people.support).tickets.map(\.number) == [number])
            #expect(try await TicketQueue(database: db).run(.init(assignee: "nobody"), viewer: people.support).tickets.isEmpty)
        }
    }

    @Test("a ticket staff raise on an account is followed by the account's owner, who is told")
    func staffRaisedTicketsAreTheOwners() async throws {
        try await Self.withTickets { (db: Database, clock: MovableClock, people: People) async throws in
            let number = try await RaiseTicket(database: db, settings: Self.settings).run(
                accountID: people.accountID, category: "meter_fault", subject: "Meter seal broken", details: "Found on a visit today.",
                consumerID: nil, openedBy: people.support, byStaff: true
            ).number
            #expect(try await Ticket.find(number, consumer: people.consumer, in: db).number == number)
            #expect(try await Ticket.of(consumer: people.consumer, in: db).map(\.number) == [number])
            await #expect(throws: NotFound.self) { try await Ticket.find(number, consumer: people.otherConsumer, in: db) }
            let told = try await db.query("SELECT recipient, body FROM notifications WHERE purpose = 'ticket'").rows
            #expect(try told.map { try $0.decode("recipient", as: String.self) } == [DemoAccounts.accounts[0].mobile])
            #expect(try told[0].decode("body", as: String.self).contains("we opened ticket \(number)"))
            try await CommentOnTicket(database: db).run(number, comment: "Thanks, I saw it too.", consumer: people.consumer)
        }
    }
}
