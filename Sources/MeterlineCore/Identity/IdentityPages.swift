/// The model of `identity/register.mustache`.
struct IdentityRegister: Page {
    static let template = "identity/register"
    let chrome = Chrome()
    let title = "Register"
    let csrfToken: String
    let form: RegistrationForm
}

/// The model of `identity/verify.mustache`: the code step of registration.
struct IdentityVerify: Page {
    static let template = "identity/verify"
    let chrome = Chrome()
    let title = "Enter your code"
    let csrfToken: String
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
    let chrome = Chrome()
    let title = "Sign in"
    let csrfToken: String
    var login: FormField
    var error: String?
    /// Shown with a link to the unlock page when the login is locked.
    var locked = false
    var notice: String?
}

/// The model of `identity/unlock.mustache`.
struct IdentityUnlock: Page {
    static let template = "identity/unlock"
    let chrome = Chrome()
    let title = "Unlock your login"
    let csrfToken: String
    var login: FormField
    var codeError: String?
    var notice: String?
}
