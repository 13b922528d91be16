import Foundation
import Hummingbird

/// A signed-in staff member, as staff pages see them.
public struct StaffMember: Sendable {
    public let id: Int64
    public let username: String
    public let fullName: String
    public let roles: [Role]
    let mustChangePassword: Bool
    let enrolled: Bool
    let secondFactorPassed: Bool

    public func may(_ permission: Permission) -> Bool { roles.grants(permission) }
}

/// The gate of every staff page (ID-7): a staff login, its password changed, its authenticator
/// enrolled and passed in this session, and the permission the page asks for. To anyone who is
/// not staff, staff pages do not exist (404), so a consumer's session can never act as staff.
public struct StaffAccess: Sendable {
    let database: Database

    /// Where a staff member has to go before staff pages open, if anywhere.
    enum Step: Equatable {
        case changePassword, enrol, verify
    }

    func member(_ context: AppRequestContext) async throws -> StaffMember? {
        guard let session = try await context.session?.current(), let userID = session.userID else { return nil }
        guard let row = try await database.query(
            """
            SELECT id, username, full_name, array_to_string(roles, ',') AS roles, must_change_password,
                   totp_enrolled_at IS NOT NULL AS enrolled
            FROM users WHERE id = $1 AND kind = 'staff' AND status = 'active'
            """, [userID]
        ).rows.first else { return nil }
        let roles = try row.decode("roles", as: String.self).split(separator: ",").compactMap { Role(rawValue: String($0)) }
        return StaffMember(
            id: try row.decode("id"), username: try row.decode("username"), fullName: try row.decode("full_name"),
            roles: roles, mustChangePassword: try row.decode("must_change_password"), enrolled: try row.decode("enrolled"),
            secondFactorPassed: session.secondFactorPassed)
    }

    static func nextStep(for member: StaffMember) -> Step? {
        if member.mustChangePassword { return .changePassword }
        if !member.enrolled { return .enrol }
        if !member.secondFactorPassed { return .verify }
        return nil
    }

    /// The member, when they may use a page needing `permission`. Throws 404 for non-staff,
    /// `StaffAccess.Redirect` while a first-login step is open, and 403 without the permission.
    func require(_ permission: Permission, _ context: AppRequestContext) async throws -> StaffMember {
        guard let member = try await member(context) else { throw PageError.notFound }
        if let step = Self.nextStep(for: member) { throw Redirect(step: step) }
        guard member.may(permission) else { throw PageError.forbidden }
        return member
    }

    struct Redirect: Error {
        let step: Step
    }

    /// Runs a staff page: 404 for non-staff, a redirect to the open first-login step if any,
    /// 403 without the permission.
    func page(
        _ permission: Permission, _ context: AppRequestContext, _ body: (StaffMember) async throws -> Response
    ) async throws -> Response {
        do {
            return try await body(try await require(permission, context))
        } catch let redirect as Redirect {
            return .redirect(to: Self.path(of: redirect.step), type: .normal)
        }
    }

    static func path(of step: Step) -> String {
        let paths = Paths()
        return switch step {
        case .changePassword: paths.staffPassword
        case .enrol: paths.staffEnrol
        case .verify: paths.staffVerify
        }
    }
}

extension Chrome {
    /// The layout around a staff page: the member's name and this session's form token.
    static func staff(_ member: StaffMember, _ context: AppRequestContext) async throws -> Chrome {
        Chrome(user: member.fullName, csrfToken: try await context.requireSession().csrfToken())
    }
}
