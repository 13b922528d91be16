import Accounts
import Identity
import Metering
import Notifications
import Platform

/// The model of `identity/register.mustache`.
struct IdentityRegister: Page {
    static let template = "identity/register"
    let chrome: Chrome
    let title = "Register"
    let form: RegistrationForm
}

/// The model of `identity/verify.mustache`: the code step of registration.
struct IdentityVerify: Page {
    static let template = "identity/verify"
    let chrome: Chrome
    let title = "Enter your code"
    /// Enough of the number to recognise it, not enough to learn it: +44 ••• ••• 123.
    let maskedMobile: String
    var codeError: String?
    var notice: String?

    static func mask(_ mobile: String) -> String {
        String(mobile.prefix(3)) + " ••• ••• " + String(mobile.suffix(3))
    }
}

/// The model of `identity/login.mustache`.
struct IdentityLogin: Page {
    static let template = "identity/login"
    let chrome: Chrome
    let title = "Sign in"
    var login: FormField
    var error: String?
    /// Shown with a link to the unlock page when the login is locked.
    var locked = false
    /// Shown with a link to reactivation when the login was suspended for being unused.
    var idle = false
    var notice: String?
}

/// The model of `identity/unlock.mustache`.
struct IdentityUnlock: Page {
    static let template = "identity/unlock"
    let chrome: Chrome
    let title = "Unlock your login"
    var login: FormField
    var codeError: String?
    var notice: String?
}

/// The model of `identity/code-login.mustache`: sign-in with a texted code (ID-3).
struct IdentityCodeLogin: Page {
    static let template = "identity/code-login"
    let chrome: Chrome
    let title = "Sign in with a code"
    var login: FormField
    var codeError: String?
    var notice: String?
}

/// The model of `identity/recover.mustache`: a new password with a texted code (ID-6).
struct IdentityRecover: Page {
    static let template = "identity/recover"
    let chrome: Chrome
    let title = "Set a new password"
    var login: FormField
    var codeError: String?
    var passwordError: String?
    var notice: String?
    /// The code goes by email rather than SMS.
    var byEmail = false
}

/// The model of `identity/email-link.mustache`: an emailed link, opened. The person confirms
/// with a button (a POST); a dead link says so and where to get a new one.
struct IdentityEmailLink: Page {
    static let template = "identity/email-link"
    let chrome: Chrome
    let title: String
    let action: String
    let button: String
    /// Present while the link is live.
    let token: String?
    let problem: String?
    let retry: String
    var notice: String?
}

/// The model of `identity/remind.mustache`: the username texted to its mobile (ID-6).
struct IdentityRemind: Page {
    static let template = "identity/remind"
    let chrome: Chrome
    let title = "Forgotten your username?"
    var mobile: FormField
    var notice: String?
}

/// The model of `identity/reactivate.mustache` (ID-5).
struct IdentityReactivate: Page {
    static let template = "identity/reactivate"
    let chrome: Chrome
    let title = "Reactivate your login"
    var login: FormField
    var codeError: String?
    var notice: String?
}
