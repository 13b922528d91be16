import Foundation
import Platform

/// TK-2: a duplicate is merged into the ticket that carries on. The duplicate closes (its clock
/// stops; no compensation or rating of its own), and both histories say so.
public struct MergeTicket: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String { "Type the number of the ticket it duplicates, such as TK-2026-000123." }
    }

    public func run(_ duplicate: String, into keeper: String, by staffID: Int64) async throws {
        let keeper = keeper.trimmingCharacters(in: .whitespaces).uppercased()
        guard keeper.wholeMatch(of: /TK-[0-9]{4}-[0-9]{6,9}/) != nil else { throw Invalid() }
        guard keeper != duplicate else { throw TicketRefusal.mergeIntoItself }
        let now = database.clock.now
        try await database.transaction { connection in
            // Both rows locked in one order, whichever way two people merge them.
            let numbers = [duplicate, keeper].sorted()
            let first = try LockedTicket.lock(numbers[0], on: connection)
            let second = try LockedTicket.lock(numbers[1], on: connection)
            let (from, into) = first.number == duplicate ? (first, second) : (second, first)
            guard from.status != .closed, into.status != .closed else { throw TicketRefusal.closed }
            // A resolved ticket closes by itself (with any compensation it is owed), never by a merge.
            guard from.status != .resolved else { throw TicketRefusal.mergeResolved }
            // Both followed by the same person (a ticket staff raised is the account owner's), who can then
            // follow the one that carries on.
            guard from.accountID == into.accountID else { throw TicketRefusal.mergeAcrossAccounts }
            if from.consumerID != into.consumerID {
                let owner = try connection.query(
                    "SELECT id FROM users WHERE account_id = \(from.accountID) AND kind = 'consumer'"
                ).rows.first?.decode("id", as: Int64.self)
                guard (from.consumerID ?? owner) == (into.consumerID ?? owner) else { throw TicketRefusal.mergeAcrossAccounts }
            }
            try from.move(to: .closed, by: staffID, staff: true, at: now, on: connection)
            try connection.execute("UPDATE tickets SET merged_into = \(into.id) WHERE id = \(from.id)")
            try TicketLog.write(
                .merged, ticket: from.id, by: staffID, staff: true, body: "Merged into \(into.number), which carries on.", at: now, on: connection)
            try TicketLog.write(
                .merged, ticket: into.id, by: staffID, staff: true, body: "\(from.number) was merged into this ticket.", at: now, on: connection)
            try TicketLog.tell(
                from.recipient, "Meterline: your ticket \(from.number) is the same matter as \(into.number); we carry on there.", on: connection)
        }
    }
}
