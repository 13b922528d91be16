import Foundation
import Notifications
import Platform

/// What a new password must be (ID-10): at least 10 characters, at most 256, not one of the
/// 10,000 most common passwords, and not the username.
public struct PasswordPolicy: Sendable {
    public static let minimumLength = 10
    public let common: Set<String>

    /// The shipped list: the 10,000 most frequent passwords of zxcvbn's "passwords" list (MIT licence).
    public static func shipped() throws -> PasswordPolicy {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt") else {
            throw CocoaError(.fileNoSuchFile)
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        return PasswordPolicy(common: Set(text.split(separator: "\n").map { String($0) }))
    }

    public init(common: Set<String>) {
        self.common = common
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case tooShort
        case tooLong
        case tooCommon
        case sameAsUsername

        /// Said next to the password field.
        public var description: String {
            switch self {
            case .tooShort: "Use at least \(PasswordPolicy.minimumLength) characters. A short sentence works well."
            case .tooLong: "Use at most \(PasswordHasher.maximumLength) characters."
            case .tooCommon: "This password is one of the most common ones and easy to guess. Choose another."
            case .sameAsUsername: "Your password must not be your username."
            }
        }
    }

    /// Throws the first rule `password` breaks.
    public func check(_ password: String, username: String? = nil) throws(Refusal) {
        guard password.count >= Self.minimumLength else { throw .tooShort }
        guard password.utf8.count <= PasswordHasher.maximumLength else { throw .tooLong }
        let lowered = password.lowercased()
        guard !common.contains(lowered), !common.contains(password) else { throw .tooCommon }
        if let username, lowered == username.lowercased() { throw .sameAsUsername }
    }

    public var commonCount: Int { common.count }
}
