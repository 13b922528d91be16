import Foundation
import Notifications
import Platform

/// Writes the audit trail (ID-11). Call it inside the transaction of the change it records, so
/// the record exists exactly when the change does. Never put a password or a code in `details`.
public enum AuditLog {
    public enum Action: String, Sendable, CaseIterable {
        case registrationCompleted = "registration.completed"
        case loginSucceeded = "login.succeeded"
        case loginFailed = "login.failed"
        case loginLocked = "login.locked"
        case loginUnlocked = "login.unlocked"
        case loginByCode = "login.by_code"
        case loginByEmailLink = "login.by_email_link"
        case emailVerified = "email.verified"
        case readingRecorded = "reading.recorded"
        case meterRegistered = "meter.registered"
        case meterProvisioned = "meter.provisioned"
        case meterInstalled = "meter.installed"
        case meterExchanged = "meter.exchanged"
        case readingCorrected = "reading.corrected"
        case readingsImported = "readings.imported"
        case tenantAdded = "tenancy.added"
        case alertAcknowledged = "alert.acknowledged"
        case accountCreated = "account.created"
        case accountChanged = "account.changed"
        case meterLocated = "meter.located"
        case tenancyEnded = "tenancy.ended"
        case tenantLeft = "tenancy.left"
        case loginReactivated = "login.reactivated"
        case passwordReset = "password.reset"
        case signedOutEverywhere = "session.signed_out_everywhere"
        case staffCreated = "staff.created"
        case staffRolesChanged = "staff.roles_changed"
        case staffPasswordChanged = "staff.password_changed"
        case staffEnrolledAuthenticator = "staff.enrolled_authenticator"
        case billRunDrafted = "bill_run.drafted"
        case billRunApproved = "bill_run.approved"
        case billRunDiscarded = "bill_run.discarded"
        case billCredited = "bill.credited"
        case paymentRecorded = "payment.recorded"
        case paymentVerified = "payment.verified"
        case paymentRejected = "payment.rejected"
        case billDisputed = "bill.disputed"
        case disputeRejected = "dispute.rejected"
        case disputeResolved = "dispute.resolved"
        case ticketCompensated = "ticket.compensated"
        case serviceStandardsChanged = "ticket.standards_changed"
        case meterKeysSet = "meter.keys_set"
        case vendingKeyLoaded = "prepaid.vending_key_loaded"
        case emergencyTokenIssued = "prepaid.emergency_token"
        case meterCommandSent = "meter.command_sent"
    }

    public static func record(
        on connection: PostgresConnection, _ action: Action, userID: Int64?, clientAddress: String?,
        details: [String: String] = [:]
    ) throws {
        let json = String(decoding: try JSONEncoder().encode(details), as: UTF8.self)
        try connection.execute(
            "INSERT INTO audit_log (user_id, action, client_address, details) VALUES ($1, $2, $3, $4::jsonb)",
            [userID, action.rawValue, clientAddress.map { String($0.prefix(45)) }, json])
    }

    public static func record(
        in database: Database, _ action: Action, userID: Int64?, clientAddress: String?, details: [String: String] = [:]
    ) async throws {
        try await database.withConnection {
            try record(on: $0, action, userID: userID, clientAddress: clientAddress, details: details)
        }
    }
}
