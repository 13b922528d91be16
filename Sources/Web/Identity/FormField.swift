import Accounts
import Identity
import Metering
import Notifications
import Platform

/// A form field as the page shows it: what was typed, and the message next to it if it is wrong.
public struct FormField: Encodable, Sendable, Equatable {
    public var value: String
    public var error: String?

    public init(_ value: String? = nil, error: String? = nil) {
        self.value = value ?? ""
        self.error = error
    }
}
