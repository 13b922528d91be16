import Foundation
import Testing

@testable import Accounts
@testable import Billing
@testable import Identity
@testable import Platform

/// BL-7: a disputed bill gets no late fee and leaves the defaulters list; finance rejects it with
/// a reason or resolves it with a credit note (and a new bill); each step is told and audited.
@Suite("Disputes (BL-7)")
struct DisputeTests {
    static let day: TimeInterval = 86_400

    static func withIssuedBill(_ body: (Database, Int64, Int64, Int64, String) async throws -> Void) async throws {
        try await TestBilling.withBilling { db, drafter, approver in
            try await TestBilling.issue(TestBilling.recentMonths[2], db, drafter: drafter, approver: approver)
            let row = try await db.query(
                "SELECT a.id, b.number FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.account_number = $1",
                [DemoAccounts.accounts[0].number]
            ).rows[0]
            // The account's owner, who is told of each step.
            try await db.query(
                """
                INSERT INTO users (username, full_name, password_hash, kind, status, account_id, mobile, mobile_verified_at)
                VALUES ('dina.disputes', 'Dina Disputes', '$argon2id$placeholder', 'consumer', 'active', $1, $2, now())
                """, [try row.decode("id", as: Int64.self), DemoAccounts.accounts[0].mobile])
            try await body(db, drafter, approver, try row.decode("id"), try row.decode("number"))
        }
    }

    @Test("a disputed bill gets no late fee and is not on the defaulters list; rejected, it is owed again")
    func disputedBillsAreLeftAlone() async throws {
        try await Self.withIssuedBill { db, drafter, approver, accountID, number in
            let id = try await OpenDispute(database: db).run(
                billNumber: number, accountID: accountID, reason: "I was away all month; the house was empty.", reading: "04512", by: drafter)
            await #expect(throws: OpenDispute.Refused.alreadyOpen) {
                try await OpenDispute(database: db).run(
                    billNumber: number, accountID: accountID, reason: "Still wrong, again here", reading: "", by: drafter)
            }
            let later = MovableClock(Date().addingTimeInterval(Double(TestBilling.settings.dueDays + 40) * Self.day))
            // Every other account's overdue bill gets its fee; the disputed one does not.
            #expect(try await ApplyLateFees(database: db, graceDays: 7, clock: later).run() == DemoAccounts.accounts.count - 1)
            let fees = try await db.query(
                "SELECT count(*) AS n FROM ledger_entries e JOIN bills b ON b.id = e.bill_id WHERE e.kind = 'late_fee' AND b.number = $1", [number]
            ).rows[0].decode("n", as: Int.self)
            #expect(fees == 0)
            #expect(
                try await Defaulters(database: db, clock: later).list(area: nil).rows.allSatisfy {
                    $0.accountNumber != DemoAccounts.accounts[0].number
                })

            let rejected = try await DecideDispute(database: db, settings: TestBilling.settings).reject(
                id, reason: "The meter was read on the day and shows this use.", by: approver, clientAddress: nil)
            #expect(rejected.status == .rejected)
            #expect(rejected.reportedReading == 4512)
            #expect(
                try await Defaulters(database: db, clock: later).list(area: nil).rows.contains { $0.accountNumber == DemoAccounts.accounts[0].number }
            )
            // Owed again: the next pass charges its fee, once.
            #expect(try await ApplyLateFees(database: db, graceDays: 7, clock: later).run() == 1)
            #expect(try await ApplyLateFees(database: db, graceDays: 7, clock: later).run() == 0)
            await #expect(throws: DecideDispute.Refused.decided(.rejected)) {
                try await DecideDispute(database: db, settings: TestBilling.settings).reject(
                    id, reason: "again, no", by: approver, clientAddress: nil)
            }
            let told = try await db.query("SELECT body FROM notifications WHERE purpose = 'dispute' ORDER BY id").rows.map {
                try $0.decode("body", as: String.self)
            }
            #expect(told.count == 2)
            #expect(told.last?.contains("The meter was read on the day") == true)
            // Disputed again after a rejection: a new dispute, the first kept in the history.
            _ = try await OpenDispute(database: db).run(
                billNumber: number, accountID: accountID, reason: "I still think it is wrong.", reading: "", by: drafter)
            #expect(try await Dispute.of(billNumber: number, in: db).map(\.status) == [.rejected, .open])
        }
    }

    @Test("a dispute upheld is closed with the credit note that cancels the bill, and a new bill when asked")
    func upheldDisputeCreditsTheBill() async throws {
        try await Self.withIssuedBill { db, drafter, approver, accountID, number in
            let id = try await OpenDispute(database: db).run(
                billNumber: number, accountID: accountID, reason: "The reading on the bill is not my meter's.", reading: "", by: drafter)
            let decide = DecideDispute(database: db, settings: TestBilling.settings)
            await #expect(throws: DecideDispute.Refused.reasonMissing) {
                try await decide.resolve(id, reason: "ok", rebill: true, by: approver, clientAddress: nil)
            }
            let resolved = try await decide.resolve(id, reason: "Read at the wrong premise.", rebill: true, by: approver, clientAddress: nil)
            #expect(resolved.status == .resolved)
            #expect(resolved.creditNote?.hasPrefix("CN-") == true)
            #expect(resolved.replacementBill != nil)
            let disputed = try await db.query("SELECT disputed FROM bills WHERE number = $1", [number]).rows[0].decode("disputed", as: Bool.self)
            #expect(!disputed)
            #expect(try await db.query("SELECT 1 FROM audit_log WHERE action = 'dispute.resolved'").rows.count == 1)
            #expect(try await VerifyLedger(database: db).run().isSound)
            // A credited bill cannot be disputed.
            await #expect(throws: OpenDispute.Refused.credited) {
                try await OpenDispute(database: db).run(
                    billNumber: number, accountID: accountID, reason: "Please look again at it", reading: "", by: drafter)
            }
        }
    }

    @Test("a disputed bill credited from the bill page closes its dispute with that credit note")
    func directCreditClosesTheDispute() async throws {
        try await Self.withIssuedBill { db, drafter, approver, accountID, number in
            let id = try await OpenDispute(database: db).run(
                billNumber: number, accountID: accountID, reason: "The reading on the bill is not my meter's.", reading: "", by: drafter)
            let note = try await IssueCreditNote(database: db, settings: TestBilling.settings).run(
                billNumber: number, reason: "Credited at the counter", by: approver)
            let dispute = try await Dispute.find(id, in: db)
            #expect(dispute.status == .resolved)
            #expect(dispute.creditNote == note.number)
            await #expect(throws: DecideDispute.Refused.decided(.resolved)) {
                try await DecideDispute(database: db, settings: TestBilling.settings).reject(
                    id, reason: "Too late for this one", by: approver, clientAddress: nil)
            }
            #expect(try await Dispute.queue(in: db).isEmpty)
        }
    }

    @Test("a dispute without a reason, with a reading that is not a number, or of another account's bill is refused")
    func badDisputesAreRefused() async throws {
        try await Self.withIssuedBill { db, drafter, _, accountID, number in
            await #expect(throws: OpenDispute.Invalid(reason: "Tell us what is wrong with the bill, in a sentence or two.", reading: nil)) {
                try await OpenDispute(database: db).run(billNumber: number, accountID: accountID, reason: " wrong ", reading: "", by: drafter)
            }
            await #expect(
                throws: OpenDispute.Invalid(
                    reason: nil, reading: "Type the reading as the whole number on the meter, such as 04512, or leave it empty.")
            ) {
                try await OpenDispute(database: db).run(
                    billNumber: number, accountID: accountID, reason: "The bill is far too high", reading: "12.5kWh", by: drafter)
            }
            await #expect(throws: NotFound.self) {
                try await OpenDispute(database: db).run(
                    billNumber: number, accountID: accountID + 1, reason: "The bill is far too high", reading: "", by: drafter)
            }
            let none = try await db.query("SELECT 1 FROM disputes").rows
            #expect(none.isEmpty)
        }
    }
}
