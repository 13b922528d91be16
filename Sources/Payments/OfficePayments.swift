import Foundation
import Identity
import Platform

/// BL-5: payments made at the office or by bank transfer. Finance records one; it counts only
/// when a second finance user verifies it (or is rejected, with a reason). Every step is audited.
public struct OfficePayments: Sendable {
    let database: Database
    let settings: PaymentSettings

    public init(database: Database, settings: PaymentSettings) {
        self.database = database
        self.settings = settings
    }

    /// What is wrong with a recorded payment's form, by field: every problem at once.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var account: Refused?
        public var amount: Refused?
        public var method: Refused?
        public var reference: Refused?
        public var isEmpty: Bool { [account, amount, method, reference].allSatisfy { $0 == nil } }
        public var description: String { [account, amount, method, reference].compactMap { $0?.description }.joined(separator: " ") }
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case noSuchAccount(String)
        case amount(AmountRefused)
        case methodMissing
        case referenceMissing
        case referenceTooLong
        case reasonMissing
        case notAwaiting(Payment.Status)
        case ownPayment

        public var description: String {
            switch self {
            case .noSuchAccount(let number): number.isEmpty ? "Enter the account number." : "No account has the number \(number)."
            case .amount(let refusal): refusal.description
            case .methodMissing: "Choose how the consumer paid: at the office or by bank transfer."
            case .referenceMissing: "Enter the receipt book number or the bank's reference, so the payment can be traced."
            case .referenceTooLong: "Keep the reference under 100 characters."
            case .reasonMissing: "Say why the payment is rejected, in a few words."
            case .notAwaiting(let status):
                "This payment is not waiting for verification any more (it is \(status.rawValue.replacingOccurrences(of: "_", with: " ")))."
            case .ownPayment: "You recorded this payment: a second finance user verifies it."
            }
        }
    }

    /// Records a payment; it waits for a second finance user.
    public func record(
        accountNumber: String, amount text: String, method: String, reference: String, by userID: Int64, clientAddress: String?
    ) async throws -> Payment {
        let accountNumber = accountNumber.trimmingCharacters(in: .whitespaces)
        let reference = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        var invalid = Invalid()
        let method = Payment.Method(rawValue: method).flatMap { $0 == .online ? nil : $0 }
        if method == nil { invalid.method = .methodMissing }
        var amount = Money.zero
        do { amount = try settings.amount(text) } catch { invalid.amount = .amount(error) }
        if reference.isEmpty { invalid.reference = .referenceMissing }
        if reference.unicodeScalars.count > 100 { invalid.reference = .referenceTooLong }
        let account =
            accountNumber.isEmpty || accountNumber.unicodeScalars.count > 40
            ? nil
            : try await database.query("SELECT id FROM accounts WHERE account_number = \(accountNumber)").rows.first?.decode(
                "id", as: Int64.self)
        if account == nil { invalid.account = .noSuchAccount(accountNumber) }
        guard invalid.isEmpty, let account, let method else { throw invalid }
        let paid = amount
        let now = database.clock.now
        return try await database.transaction { connection in
            let id = try connection.query(
                """
                INSERT INTO payments (account_id, amount, method, status, reference, created_by, created_at)
                VALUES (\(account), \(paid.minorUnits), \(method.rawValue), 'awaiting_verification', \(reference), \(userID), \(now))
                RETURNING id
                """
            ).rows[0].decode("id", as: Int64.self)
            try AuditLog.record(
                on: connection, .paymentRecorded, userID: userID, clientAddress: clientAddress,
                details: ["payment": String(id), "account": accountNumber, "amount": settings.currency.plain(paid), "reference": reference])
            return try Payment.find(id, on: connection)
        }
    }

    /// A second finance user confirms the money arrived: the payment is credited, with a receipt.
    public func verify(_ paymentID: Int64, by userID: Int64, clientAddress: String?) async throws -> Payment {
        let now = database.clock.now
        let today = CalendarDay.current(database.clock)
        let settings = self.settings
        return try await database.transaction { connection in
            let payment = try Self.lockAwaiting(paymentID, by: userID, on: connection)
            try connection.execute("UPDATE payments SET verified_by = \(userID) WHERE id = \(paymentID)")
            let receipt = try PaymentLedger.credit(payment, amount: payment.amount, settings: settings, on: connection, now: now, today: today)
            try AuditLog.record(
                on: connection, .paymentVerified, userID: userID, clientAddress: clientAddress,
                details: ["payment": String(paymentID), "receipt": receipt])
            return try Payment.find(paymentID, on: connection)
        }
    }

    /// The money never arrived, or the record is wrong: the payment never counts.
    public func reject(_ paymentID: Int64, reason: String, by userID: Int64, clientAddress: String?) async throws -> Payment {
        guard let reason = PaymentLedger.note(reason) else { throw Refused.reasonMissing }
        return try await database.transaction { connection in
            _ = try Self.lockAwaiting(paymentID, by: userID, on: connection)
            try connection.execute(
                "UPDATE payments SET status = 'rejected', verified_by = \(userID), failure = \(reason) WHERE id = \(paymentID)")
            try AuditLog.record(
                on: connection, .paymentRejected, userID: userID, clientAddress: clientAddress,
                details: ["payment": String(paymentID), "reason": reason])
            return try Payment.find(paymentID, on: connection)
        }
    }

    /// Recorded payments waiting for a second finance user, oldest first.
    public func awaiting() async throws -> [Payment] {
        try await database.query(
            """
            SELECT \(Payment.columns) FROM \(Payment.source)
            WHERE p.status = 'awaiting_verification' ORDER BY p.created_at, p.id LIMIT 200
            """
        ).rows.map(Payment.init(row:))
    }

    private static func lockAwaiting(_ paymentID: Int64, by userID: Int64, on connection: PostgresConnection) throws -> Payment {
        guard
            let row = try connection.query(
                """
                SELECT \(Payment.columns) FROM \(Payment.source)
                WHERE p.id = \(paymentID) AND p.method <> 'online' FOR UPDATE OF p
                """
            ).rows.first
        else { throw NotFound("payment") }
        let payment = try Payment(row: row)
        guard payment.status == .awaitingVerification else { throw Refused.notAwaiting(payment.status) }
        guard payment.createdBy != userID else { throw Refused.ownPayment }
        return payment
    }
}
