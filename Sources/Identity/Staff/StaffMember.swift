import Notifications
import Platform

/// A signed-in staff member, as staff pages see them.
public struct StaffMember: Sendable {
    public let id: Int64
    public let username: String
    public let fullName: String
    public let roles: [Role]
    public let mustChangePassword: Bool
    public let enrolled: Bool
    public let secondFactorPassed: Bool

    public init(login: SignedInLogin, secondFactorPassed: Bool) {
        id = login.id
        username = login.username
        fullName = login.fullName
        roles = login.roles
        mustChangePassword = login.mustChangePassword
        enrolled = login.enrolled
        self.secondFactorPassed = secondFactorPassed
    }

    public func may(_ permission: Permission) -> Bool { roles.grants(permission) }

    /// The steps of a first sign-in (ID-7), in order; then the authenticator at every sign-in.
    public enum Step: Equatable {
        case changePassword, enrol, verify
    }

    /// Where the member has to go before staff pages open, if anywhere.
    public static func nextStep(for member: StaffMember) -> Step? {
        if member.mustChangePassword { return .changePassword }
        if !member.enrolled { return .enrol }
        if !member.secondFactorPassed { return .verify }
        return nil
    }
}
