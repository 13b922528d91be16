import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// Every URL of the site, declared once with its audience. Routes are registered from this table
/// (`SiteRouter`), pages link through it (`Endpoint.url`), and the access-matrix test walks it.
public struct Routes: Encodable, Sendable, TemplateConstant {
    /// The one table; `Chrome` hands it to every template.
    public static let site = Routes()

    // Everyone
    public let home = Routes.forEveryone("/")
    public let health = Routes.forEveryone("/healthz")
    public let metrics = Routes.forEveryone("/metrics")
    public let devInbox = Routes.forEveryone("/dev/inbox")
    public let login = Routes.forEveryone("/login")
    public let logout = Routes.forEveryone("/logout")
    public let register = Routes.forEveryone("/register")
    public let registerVerify = Routes.forEveryone("/register/verify")
    public let registerResend = Routes.forEveryone("/register/resend")
    public let usernameCheck = Routes.forEveryone("/register/username")
    public let unlock = Routes.forEveryone("/unlock")
    public let unlockSend = Routes.forEveryone("/unlock/send")
    public let loginCode = Routes.forEveryone("/login/code")
    public let loginCodeSend = Routes.forEveryone("/login/code/send")
    public let loginLink = Routes.forEveryone("/login/link")
    public let loginLinkSend = Routes.forEveryone("/login/link/send")
    public let emailVerify = Routes.forEveryone("/email/verify")
    public let recover = Routes.forEveryone("/recover")
    public let recoverSend = Routes.forEveryone("/recover/send")
    public let recoverUsername = Routes.forEveryone("/recover/username")
    public let reactivate = Routes.forEveryone("/reactivate")
    public let reactivateSend = Routes.forEveryone("/reactivate/send")
    /// The sandbox payment gateway's hosted page (development and tests): a gateway's page, not ours.
    public let sandboxCheckout = Routes.forEveryone("/sandbox-gateway/:checkout")
    public let sandboxChargeback = Routes.forEveryone("/sandbox-gateway/:checkout/chargeback")
    public let sandboxSettlement = Routes.forEveryone("/sandbox-gateway-reports/settlement.csv")

    // The payment gateway, proven by the signature on what it posts
    public let paymentWebhook = Endpoint<AppRequestContext>("/payments/webhook", .gateway)

    // Device bridges, proven by the signature on the whole request (BR-1)
    public let bridgeMeters = Endpoint<BridgeContext>("/bridge/meters", .bridge)
    public let bridgeMessages = Endpoint<BridgeContext>("/bridge/messages", .bridge)
    public let bridgeStatus = Endpoint<BridgeContext>("/bridge/status", .bridge)

    // Consumers
    public let account = Routes.forConsumers("/account")
    public let accountSettings = Routes.forConsumers("/account/settings")
    public let accountEmailVerify = Routes.forConsumers("/account/email/verify")
    public let accountMessages = Routes.forConsumers("/account/messages")
    public let endSession = Routes.forConsumers("/account/sessions/end")
    public let endAllSessions = Routes.forConsumers("/account/sessions/end-all")
    public let premise = Routes.forConsumers("/account/premises/:number")
    public let premiseTenants = Routes.forConsumers("/account/premises/:number/tenants")
    public let endTenancy = Routes.forConsumers("/account/tenancies/end")
    public let bill = Routes.forConsumers("/account/bills/:bill")
    public let billDispute = Routes.forConsumers("/account/bills/:bill/dispute")
    public let pay = Routes.forConsumers("/account/premises/:number/pay")
    public let payment = Routes.forConsumers("/account/payments/:payment")
    public let prepaid = Routes.forConsumers("/account/premises/:number/prepaid")
    public let accountTickets = Routes.forConsumers("/account/tickets")
    public let accountTicket = Routes.forConsumers("/account/tickets/:ticket")
    public let accountTicketComment = Routes.forConsumers("/account/tickets/:ticket/comments")
    public let accountTicketReopen = Routes.forConsumers("/account/tickets/:ticket/reopen")
    public let accountTicketRating = Routes.forConsumers("/account/tickets/:ticket/rating")

    // Staff, first sign-in
    public let staffPassword = Routes.forStaffSigningIn("/staff/password")
    public let staffEnrol = Routes.forStaffSigningIn("/staff/enrol")
    public let staffVerify = Routes.forStaffSigningIn("/staff/verify")

    // Staff
    public let staff = Routes.forStaff("/staff", .enterStaffArea)
    public let field = Routes.forStaff("/field", .readMeters)
    public let fieldAccount = Routes.forStaff("/field/accounts/:number", .readMeters)
    public let fieldReadings = Routes.forStaff("/field/accounts/:number/readings", .readMeters)
    public let fieldInstall = Routes.forStaff("/field/accounts/:number/install", .installMeters)
    public let fieldExchange = Routes.forStaff("/field/accounts/:number/exchange", .installMeters)
    public let fieldLocation = Routes.forStaff("/field/accounts/:number/location", .installMeters)
    public let fieldEmergencyToken = Routes.forStaff("/field/accounts/:number/emergency-token", .issueEmergencyTokens)
    public let opsMeters = Routes.forStaff("/ops/meters", .registerMeters)
    public let opsProvision = Routes.forStaff("/ops/meters/provision", .registerMeters)
    public let opsMeter = Routes.forStaff("/ops/meters/:serial", .commandMeters)
    public let opsMeterCommand = Routes.forStaff("/ops/meters/:serial/commands", .commandMeters)
    public let opsImport = Routes.forStaff("/ops/readings/import", .importReadings)
    public let opsAlerts = Routes.forStaff("/ops/alerts", .reviewReadings)
    public let opsAlertsAcknowledge = Routes.forStaff("/ops/alerts/acknowledge", .reviewReadings)
    public let opsCorrect = Routes.forStaff("/ops/readings/correct", .reviewReadings)
    public let opsHealth = Routes.forStaff("/ops/health", .viewMeterHealth)
    public let opsReadAll = Routes.forStaff("/ops/read-all", .commandMeters)
    public let opsVendingKeys = Routes.forStaff("/ops/vending-keys", .manageVendingKeys)
    public let adminAccounts = Routes.forStaff("/admin/accounts", .manageAccounts)
    public let adminAccount = Routes.forStaff("/admin/accounts/:number", .manageAccounts)
    public let adminStaff = Routes.forStaff("/admin/staff", .manageStaff)
    public let adminStaffRoles = Routes.forStaff("/admin/staff/roles", .manageStaff)
    public let adminAudit = Routes.forStaff("/admin/audit", .viewAudit)
    public let adminAuditCSV = Routes.forStaff("/admin/audit.csv", .viewAudit)
    public let adminTariffs = Routes.forStaff("/admin/tariffs", .viewTariffs)
    public let adminTariffVersionNew = Routes.forStaff("/admin/tariffs/:category/new", .manageTariffs)
    public let billRuns = Routes.forStaff("/finance/bill-runs", .runBilling)
    public let billRun = Routes.forStaff("/finance/bill-runs/:run", .runBilling)
    public let billRunApprove = Routes.forStaff("/finance/bill-runs/:run/approve", .runBilling)
    public let billRunDiscard = Routes.forStaff("/finance/bill-runs/:run/discard", .runBilling)
    public let billRunResume = Routes.forStaff("/finance/bill-runs/:run/resume", .runBilling)
    public let financeBills = Routes.forStaff("/finance/bills", .creditBills)
    public let financeBill = Routes.forStaff("/finance/bills/:bill", .creditBills)
    public let financeBillCredit = Routes.forStaff("/finance/bills/:bill/credit", .creditBills)
    public let financePayments = Routes.forStaff("/finance/payments", .recordPayments)
    public let financeReconcile = Routes.forStaff("/finance/reconcile", .recordPayments)
    public let financePayment = Routes.forStaff("/finance/payments/:payment", .recordPayments)
    public let financePaymentVerify = Routes.forStaff("/finance/payments/:payment/verify", .recordPayments)
    public let financePaymentReject = Routes.forStaff("/finance/payments/:payment/reject", .recordPayments)
    public let disputes = Routes.forStaff("/finance/disputes", .resolveDisputes)
    public let dispute = Routes.forStaff("/finance/disputes/:dispute", .resolveDisputes)
    public let disputeReject = Routes.forStaff("/finance/disputes/:dispute/reject", .resolveDisputes)
    public let disputeResolve = Routes.forStaff("/finance/disputes/:dispute/resolve", .resolveDisputes)
    public let tickets = Routes.forStaff("/support/tickets", .handleTickets)
    public let ticket = Routes.forStaff("/support/tickets/:ticket", .handleTickets)
    public let ticketAnswer = Routes.forStaff("/support/tickets/:ticket/answer", .handleTickets)
    public let ticketAssign = Routes.forStaff("/support/tickets/:ticket/assign", .handleTickets)
    public let ticketMerge = Routes.forStaff("/support/tickets/:ticket/merge", .handleTickets)
    public let ticketFromAlert = Routes.forStaff("/support/alerts/:alert/ticket", .handleTickets)
    public let serviceStandards = Routes.forStaff("/admin/service-standards", .setServiceStandards)
    public let defaulters = Routes.forStaff("/finance/defaulters", .viewFinanceReports)
    public let defaultersCSV = Routes.forStaff("/finance/defaulters.csv", .viewFinanceReports)
    public let financeReports = Routes.forStaff("/finance/reports", .viewFinanceReports)
    public let financeReportsCSV = Routes.forStaff("/finance/reports.csv", .viewFinanceReports)

    /// The table as templates read it, encoded once.
    nonisolated(unsafe) static let templateValue: Any = (try? TemplateEncoder.encode(Routes.site)) ?? [String: Any]()

    /// Paths a gateway or a bridge posts to: no session, so no form token; the signature proves the sender.
    public var signedCallbackPaths: Set<String> { Set(all.filter { [.gateway, .bridge].contains($0.audience) }.map(\.pattern)) }

    /// Every endpoint of the table, for the access-matrix test.
    public var all: [any AnyEndpoint] { Mirror(reflecting: self).children.compactMap { $0.value as? any AnyEndpoint } }

    private static func forEveryone(_ pattern: String) -> Endpoint<AppRequestContext> { Endpoint(pattern, .everyone) }
    private static func forConsumers(_ pattern: String) -> Endpoint<ConsumerContext> { Endpoint(pattern, .consumer) }
    private static func forStaffSigningIn(_ pattern: String) -> Endpoint<StaffSigningInContext> { Endpoint(pattern, .staffSigningIn) }
    private static func forStaff(_ pattern: String, _ permission: Permission) -> Endpoint<StaffContext> { Endpoint(pattern, .staff(permission)) }
}
