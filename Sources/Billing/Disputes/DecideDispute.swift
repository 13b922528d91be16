import Foundation
import Identity
import Platform

/// BL-7: finance decides an open dispute. Rejected: the reason is the consumer's to read, and the
/// bill is no longer disputed (late fees may follow). Resolved: a credit note cancels the bill and,
/// with `rebill`, the month is billed again from the readings as they stand (correct the reading
/// first); the dispute is closed in the same transaction as the note.
public struct DecideDispute: Sendable {
    let database: Database
    let settings: BillingSettings

    public init(database: Database, settings: BillingSettings) {
        self.database = database
        self.settings = settings
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case decided(Dispute.Status)
        case reasonMissing
        case reasonTooLong
        case unreadable

        public var description: String {
            switch self {
            case .decided(let status): "This dispute is \(status.rawValue) already."
            case .reasonMissing: "Say why, in a few words: the consumer reads it."
            case .reasonTooLong: "Keep the reason under 500 characters."
            case .unreadable: "The text holds a character that cannot be stored (a NUL). Type it again."
            }
        }
    }

    public func reject(_ disputeID: Int64, reason: String, by userID: Int64, clientAddress: String?) async throws -> Dispute {
        let reason = try Self.checked(reason)
        let now = database.clock.now
        try await database.transaction { connection in
            // The bill first, then the dispute: the order a credit note resolving it takes them in.
            let (billID, accountID, number) = try Self.lock(disputeID, on: connection)
            try connection.execute(
                """
                UPDATE disputes SET status = 'rejected', decided_by = \(userID), decided_at = \(now), decision = \(reason) WHERE id = \(disputeID)
                """)
            try connection.execute("UPDATE bills SET disputed = false WHERE id = \(billID)")
            try DisputeMessages.tell(
                accountID: accountID,
                "Meterline: your dispute of bill \(number) was not upheld. Reason: \(reason). The bill stands; sign in to see it.", on: connection)
            try AuditLog.record(
                on: connection, .disputeRejected, userID: userID, clientAddress: clientAddress,
                details: ["bill": number, "dispute": String(disputeID), "reason": reason])
        }
        return try await Dispute.find(disputeID, in: database)
    }

    public func resolve(_ disputeID: Int64, reason: String, rebill: Bool, by userID: Int64, clientAddress: String?) async throws -> Dispute {
        let reason = try Self.checked(reason)
        let dispute = try await Dispute.find(disputeID, in: database)
        guard dispute.status == .open else { throw Refused.decided(dispute.status) }
        let now = database.clock.now
        _ = try await IssueCreditNote(database: database, settings: settings).run(
            billNumber: dispute.billNumber, reason: reason, rebill: rebill, by: userID, clientAddress: clientAddress
        ) { connection, note in
            // The note settled the bill's open dispute (IssueCreditNote does that for any credit):
            // it must have been this one, still open when the bill was locked.
            let row = try connection.query(
                "SELECT d.status, d.account_id, b.number FROM disputes d JOIN bills b ON b.id = d.bill_id WHERE d.id = \(disputeID)"
            ).rows[0]
            guard try row.decode("status", as: String.self) == Dispute.Status.resolved.rawValue,
                try !connection.query(
                    "SELECT 1 FROM disputes d JOIN credit_notes cn ON cn.id = d.credit_note_id WHERE d.id = \(disputeID) AND cn.number = \(note.number)"
                ).rows.isEmpty
            else { throw Refused.decided(Dispute.Status(rawValue: try row.decode("status")) ?? .rejected) }
            let number: String = try row.decode("number")
            try DisputeMessages.tell(
                accountID: try row.decode("account_id"),
                "Meterline: your dispute of bill \(number) is upheld: credit note \(note.number) cancels it"
                    + (note.replacement.map { ", and bill \($0.number) replaces it" } ?? "") + ".",
                on: connection)
            try AuditLog.record(
                on: connection, .disputeResolved, userID: userID, clientAddress: clientAddress,
                details: ["bill": number, "dispute": String(disputeID), "credit_note": note.number])
        }
        return try await Dispute.find(disputeID, in: database)
    }

    static func checked(_ reason: String) throws -> String {
        let reason = WrittenText.cleaned(reason)
        switch WrittenText.problem(reason, 5...500) {
        case .tooShort?: throw Refused.reasonMissing
        case .unstorable?: throw Refused.unreadable
        case .tooLong?: throw Refused.reasonTooLong
        case nil: return reason
        }
    }

    /// Locks the dispute's bill and then the dispute; refuses one already decided.
    static func lock(_ disputeID: Int64, on connection: PostgresConnection) throws -> (bill: Int64, account: Int64, number: String) {
        guard
            let bill = try connection.query(
                "SELECT b.id, b.account_id, b.number FROM bills b WHERE b.id = (SELECT bill_id FROM disputes WHERE id = \(disputeID)) FOR NO KEY UPDATE"
            ).rows.first
        else { throw NotFound("dispute") }
        let status: String = try connection.query("SELECT status FROM disputes WHERE id = \(disputeID) FOR UPDATE").rows[0].decode("status")
        guard status == Dispute.Status.open.rawValue else { throw Refused.decided(Dispute.Status(rawValue: status)!) }
        if try !connection.query("SELECT 1 FROM credit_notes WHERE bill_id = \(try bill.decode("id", as: Int64.self))").rows.isEmpty {
            throw Refused.decided(.resolved)
        }
        return (try bill.decode("id"), try bill.decode("account_id"), try bill.decode("number"))
    }
}
