import Notifications
import Platform

/// A registration whose every field passed the form's rules.
public struct ValidRegistration: Sendable {
    public let username: String
    public let fullName: String
    public let address: String
    public let mobile: String
    public let email: String?
    public let accountNumber: String
    public let password: String

    public init(username: String, fullName: String, address: String, mobile: String, email: String?, accountNumber: String, password: String) {
        self.username = username
        self.fullName = fullName
        self.address = address
        self.mobile = mobile
        self.email = email
        self.accountNumber = accountNumber
        self.password = password
    }
}
