import Accounts
import Identity
import Metering
import Notifications
import Platform

/// What the registration form posts (ID-1). Every field is optional here, so a missing field is
/// a message next to it, not a 400.
struct RegistrationInput: Decodable, Sendable {
    var username: String?
    var fullName: String?
    var address: String?
    var mobile: String?
    var email: String?
    var accountNumber: String?
    var password: String?

    enum CodingKeys: String, CodingKey {
        case username, address, mobile, email, password
        case fullName = "full_name"
        case accountNumber = "account_number"
    }
}

/// The registration form as the page shows it, with a message next to each wrong field.
struct RegistrationForm: Encodable, Sendable {
    var username = FormField()
    var fullName = FormField()
    var address = FormField()
    var mobile = FormField()
    var email = FormField()
    var accountNumber = FormField()
    /// Never sent back to the browser; only its message.
    var passwordError: String?
    /// A message about the whole form rather than one field.
    var formError: String?

    var hasErrors: Bool {
        [username, fullName, address, mobile, email, accountNumber].contains { $0.error != nil } || passwordError != nil
            || formError != nil
    }

    init() {}

    /// Checks `input`; returns the valid registration, or nil with the messages filled in.
    init(_ input: RegistrationInput, policy: PasswordPolicy) {
        username = FormField(input.username)
        fullName = FormField(input.fullName)
        address = FormField(input.address)
        mobile = FormField(input.mobile)
        email = FormField(input.email)
        accountNumber = FormField(input.accountNumber)

        let name = Normalise.text(input.username) ?? ""
        if name.isEmpty {
            username.error = "Choose a username."
        } else if !Normalise.isValidUsername(name) {
            username.error = "Use 3 to 32 letters, digits, dots, dashes or underscores."
        }
        if let full = Normalise.text(input.fullName) {
            if full.count > 120 { fullName.error = "Use at most 120 characters." }
        } else {
            fullName.error = "Enter your full name."
        }
        if let postal = Normalise.text(input.address) {
            if postal.count < 5 || postal.count > 300 { address.error = "Enter your postal address (5 to 300 characters)." }
        } else {
            address.error = "Enter your postal address."
        }
        if Normalise.text(input.mobile) == nil {
            mobile.error = "Enter your mobile number."
        } else if Normalise.mobile(input.mobile) == nil {
            mobile.error = "Enter the number with its country code, for example +44 7700 900123."
        }
        if Normalise.text(input.email) != nil, Normalise.email(input.email) == nil {
            email.error = "Enter an email address like name@example.org, or leave it empty."
        }
        if Normalise.text(input.accountNumber) == nil {
            accountNumber.error = "Enter the account number printed on your bill."
        } else if Normalise.accountNumber(input.accountNumber) == nil {
            accountNumber.error = "An account number has 6 to 16 digits; copy it from your bill."
        }
        do {
            try policy.check(input.password ?? "", username: name)
        } catch {
            passwordError = error.description
        }
    }

    /// The checked values, when there were no errors.
    func valid(_ input: RegistrationInput) -> ValidRegistration? {
        guard !hasErrors, let username = Normalise.text(input.username), let fullName = Normalise.text(input.fullName),
            let address = Normalise.text(input.address), let mobile = Normalise.mobile(input.mobile),
            let accountNumber = Normalise.accountNumber(input.accountNumber), let password = input.password
        else { return nil }
        return ValidRegistration(
            username: username, fullName: fullName, address: address, mobile: mobile, email: Normalise.email(input.email),
            accountNumber: accountNumber, password: password)
    }
}
