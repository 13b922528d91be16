/// Every URL of the site, in one typed place, so templates and redirects never spell paths by hand.
public struct Paths: Encodable, Sendable {
    public let home = "/"
    public let login = "/login"
    public let register = "/register"
    public let registerVerify = "/register/verify"
    public let registerResend = "/register/resend"
    public let usernameCheck = "/register/username"
    public let logout = "/logout"
    public let unlock = "/unlock"
    public let unlockSend = "/unlock/send"
    public let loginCode = "/login/code"
    public let loginCodeSend = "/login/code/send"
    public let loginLink = "/login/link"
    public let loginLinkSend = "/login/link/send"
    public let emailVerify = "/email/verify"
    public let accountEmailVerify = "/account/email/verify"
    public let recover = "/recover"
    public let recoverSend = "/recover/send"
    public let recoverUsername = "/recover/username"
    public let reactivate = "/reactivate"
    public let reactivateSend = "/reactivate/send"
    public let account = "/account"
    public let accountSettings = "/account/settings"
    public let endSession = "/account/sessions/end"
    public let endTenancy = "/account/tenancies/end"
    public let endAllSessions = "/account/sessions/end-all"
    public let health = "/healthz"
    public let metrics = "/metrics"
    public let stylesheet = "/css/site.css"
    public let devInbox = "/dev/inbox"
    public let staff = "/staff"
    public let staffPassword = "/staff/password"
    public let staffEnrol = "/staff/enrol"
    public let staffVerify = "/staff/verify"
    public let field = "/field"
    public let opsMeters = "/ops/meters"
    public let opsProvision = "/ops/meters/provision"
    public let opsImport = "/ops/readings/import"
    public let opsAlerts = "/ops/alerts"
    public let opsAlertsAcknowledge = "/ops/alerts/acknowledge"
    public let opsCorrect = "/ops/readings/correct"
    public let opsHealth = "/ops/health"
    public let adminAccounts = "/admin/accounts"
    public let adminStaff = "/admin/staff"
    public let adminStaffRoles = "/admin/staff/roles"
    public let adminAudit = "/admin/audit"
    public let adminAuditCSV = "/admin/audit.csv"
    public init() {}

    /// A premise's page in the field, and where its readings are posted.
    public func fieldAccount(_ number: String) -> String { "/field/accounts/\(number)" }
    public func fieldReadings(_ number: String) -> String { "/field/accounts/\(number)/readings" }
    public func adminAccount(_ number: String) -> String { "/admin/accounts/\(number)" }
    /// A consumer's premise, and where its owner adds tenants.
    public func premise(_ number: String) -> String { "/account/premises/\(number)" }
    public func premiseTenants(_ number: String) -> String { "/account/premises/\(number)/tenants" }
}
