import Accounts
import Identity
import Metering
import Notifications
import Platform

/// The model of `staff/home.mustache`.
struct StaffHome: Page {
    static let template = "staff/home"
    let chrome: Chrome
    let title = "Staff"
    let fullName: String
    let roles: [String]
    let links: [Link]

    struct Link: Encodable, Sendable, Equatable {
        let title: String
        let href: String
    }

    /// The work areas this member's permissions open, in the order of a working day.
    static func links(for member: StaffMember) -> [Link] {
        let routes = Routes.site
        let all: [(Permission, String, String)] = [
            (.readMeters, "Field: find a premise and enter a reading", routes.field.url()),
            (.reviewReadings, "Consumption alerts and corrections", routes.opsAlerts.url()),
            (.registerMeters, "Meters: register and find", routes.opsMeters.url()),
            (.viewMeterHealth, "Silent smart meters", routes.opsHealth.url()),
            (.importReadings, "Import readings from CSV", routes.opsImport.url()),
            (.manageVendingKeys, "Prepaid vending keys", routes.opsVendingKeys.url()),
            (.runBilling, "Bill runs: draft, preview, approve", routes.billRuns.url()),
            (.creditBills, "Find a bill, credit it", routes.financeBills.url()),
            (.recordPayments, "Payments: record office and bank payments, verify them", routes.financePayments.url()),
            (.handleTickets, "Complaint tickets: the queue", routes.tickets.url()),
            (.resolveDisputes, "Disputed bills: reject or resolve", routes.disputes.url()),
            (.viewFinanceReports, "Defaulters and arrears", routes.defaulters.url()),
            (.viewFinanceReports, "Finance reports", routes.financeReports.url()),
            (.viewTariffs, "Tariffs and their versions", routes.adminTariffs.url()),
            (.manageAccounts, "Utility accounts", routes.adminAccounts.url()),
            (.manageStaff, "Staff accounts and roles", routes.adminStaff.url()),
            (.setServiceStandards, "Service standards for complaints", routes.serviceStandards.url()),
            (.viewAudit, "Audit trail", routes.adminAudit.url()),
        ]
        return all.filter { member.may($0.0) }.map { Link(title: $0.1, href: $0.2) }
    }
}

/// The model of `admin/audit.mustache`.
struct AdminAudit: Page {
    static let template = "admin/audit"
    let chrome: Chrome
    let title = "Audit trail"
    let actions: [Choice]
    let username: FormField
    let from: FormField
    let to: FormField
    let entries: [AuditSearch.Entry]
    let empty: Bool
    let capped: Bool
    let limit = AuditSearch.limit
    /// The current filters as a query string, for the CSV link.
    let query: String

    struct Choice: Encodable, Sendable {
        let value: String
        let selected: Bool
    }
}

/// The model of `staff/password.mustache`: the first sign-in sets a password of one's own.
struct StaffPassword: Page {
    static let template = "staff/password"
    let chrome: Chrome
    let title = "Choose your password"
    var passwordError: String?
}

/// The model of `staff/enrol.mustache`: add Meterline to an authenticator app.
struct StaffEnrol: Page {
    static let template = "staff/enrol"
    let chrome: Chrome
    let title = "Set up your authenticator"
    /// The secret in groups of four, for typing in.
    let secret: String
    let uri: String
    var codeError: String?
}

/// The model of `staff/verify.mustache`: the code from the authenticator, once per sign-in.
struct StaffVerify: Page {
    static let template = "staff/verify"
    let chrome: Chrome
    let title = "Enter your authenticator code"
    var codeError: String?
}

/// The model of `admin/staff.mustache`: staff logins and their roles.
struct AdminStaff: Page {
    static let template = "admin/staff"
    let chrome: Chrome
    let title = "Staff accounts"
    let staff: [Row]
    let allRoles: [RoleChoice]
    var username = FormField()
    var fullName = FormField()
    var rolesError: String?
    var formError: String?
    var notice: String?
    /// Shown once, right after creating a login.
    var created: Created?

    struct Row: Encodable, Sendable {
        let id: Int64
        let username: String
        let fullName: String
        let roles: [RoleChoice]
        let pending: Bool
    }

    struct RoleChoice: Encodable, Sendable {
        let value: String
        let title: String
        let checked: Bool
    }

    struct Created: Encodable, Sendable {
        let username: String
        let initialPassword: String
    }
}
