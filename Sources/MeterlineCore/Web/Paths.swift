/// Every URL of the site, in one typed place, so templates and redirects never spell paths by hand.
public struct Paths: Encodable, Sendable {
    public let home = "/"
    public let login = "/login"
    public let register = "/register"
    public let registerVerify = "/register/verify"
    public let registerResend = "/register/resend"
    public let logout = "/logout"
    public let unlock = "/unlock"
    public let unlockSend = "/unlock/send"
    public let loginCode = "/login/code"
    public let loginCodeSend = "/login/code/send"
    public let recover = "/recover"
    public let recoverSend = "/recover/send"
    public let recoverUsername = "/recover/username"
    public let account = "/account"
    public let health = "/healthz"
    public let metrics = "/metrics"
    public let stylesheet = "/css/site.css"
    public let devInbox = "/dev/inbox"
    public init() {}
}
