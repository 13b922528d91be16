import Foundation
import Identity
import Notifications
import Platform

/// BL-7: the account's owner disputes an issued bill, with a reason and, if they like, the reading
/// they see on the meter. The bill is marked disputed at once: no late fee accrues on it and it
/// leaves the defaulters list until finance decides.
public struct OpenDispute: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var reason: String?
        public var reading: String?
        public var description: String { [reason, reading].compactMap { $0 }.joined(separator: " ") }
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case credited
        case alreadyOpen

        public var description: String {
            switch self {
            case .credited: "This bill is cancelled by a credit note: there is nothing left to dispute."
            case .alreadyOpen: "You have disputed this bill already; finance is looking into it."
            }
        }
    }

    /// Opens the dispute for the bill `number` of account `accountID` (whose owner the caller proved).
    public func run(
        billNumber number: String, accountID: Int64, reason: String, reading: String, by userID: Int64, clientAddress: String? = nil
    ) async throws -> Int64 {
        let reason = WrittenText.cleaned(reason)
        let readingText = reading.trimmingCharacters(in: .whitespaces)
        var invalid = Invalid()
        invalid.reason = WrittenText.problem(reason, 10...1000)?.message(tooShort: "Tell us what is wrong with the bill, in a sentence or two.")
        var reported: Int64?
        if !readingText.isEmpty {
            if readingText.count <= 12, readingText.allSatisfy(\.isASCII), let value = Int64(readingText), value >= 0 {
                reported = value
            } else {
                invalid.reading = "Type the reading as the whole number on the meter, such as 04512, or leave it empty."
            }
        }
        guard invalid.reason == nil, invalid.reading == nil else { throw invalid }
        let now = database.clock.now
        let reportedReading = reported
        return try await database.transaction { connection in
            guard
                let bill = try connection.query(
                    "SELECT id FROM bills WHERE number = \(number) AND account_id = \(accountID) FOR NO KEY UPDATE"
                ).rows.first?.decode("id", as: Int64.self)
            else { throw NotFound("bill") }
            if try !connection.query("SELECT 1 FROM credit_notes WHERE bill_id = \(bill)").rows.isEmpty { throw Refused.credited }
            if try !connection.query("SELECT 1 FROM disputes WHERE bill_id = \(bill) AND status = 'open'").rows.isEmpty {
                throw Refused.alreadyOpen
            }
            let id = try connection.query(
                """
                INSERT INTO disputes (bill_id, account_id, raised_by, reason, reported_reading, status, opened_at)
                VALUES (\(bill), \(accountID), \(userID), \(reason), $1, 'open', \(now)) RETURNING id
                """, [reportedReading]
            ).rows[0].decode("id", as: Int64.self)
            try connection.execute("UPDATE bills SET disputed = true WHERE id = \(bill)")
            try DisputeMessages.tell(
                accountID: accountID,
                "Meterline: we have your dispute of bill \(number). No late fee is charged on it while finance looks into it; you will hear from us.",
                on: connection)
            try AuditLog.record(
                on: connection, .billDisputed, userID: userID, clientAddress: clientAddress, details: ["bill": number, "dispute": String(id)])
            return id
        }
    }
}

/// Messages to an account's owner about their dispute.
enum DisputeMessages {
    static func tell(accountID: Int64, _ body: String, on connection: PostgresConnection) throws {
        try OwnerNotices.send(.dispute, to: accountID, body, purpose: "dispute", on: connection)
    }
}
