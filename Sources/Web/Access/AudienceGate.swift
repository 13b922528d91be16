import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// The door of a route group: loads who is asking once per request (session and login, checked
/// at every request, not only at sign-in) and lets in only the group's audience.
///  - consumers: anyone else is sent to sign in; staff go to the staff home.
///  - staff signing in: only staff with a first-sign-in step open; to anyone not staff, 404.
///  - staff: only staff with every step done; an open step is where they are sent; 404 otherwise.
struct AudienceGate: RouterMiddleware {
    typealias Context = AppRequestContext

    enum Group: Sendable {
        case consumers, staffSigningIn, staff
    }

    let group: Group
    private let routes = Routes.site

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let handle = try context.requireSession()
        let session = try await handle.current()
        // Read with the session in the same round trip.
        let login = session?.userID == nil ? nil : session?.login
        guard let session, let login else {
            if group == .consumers { return .redirect(to: routes.login.url(), type: .normal) }
            throw PageError.notFound
        }
        switch (group, login.kind) {
        case (.consumers, .staff):
            return .redirect(to: routes.staff.url(), type: .normal)
        case (.consumers, .consumer):
            // Suspended or locked since the session began: the session ends here.
            guard login.mayActAsConsumer else {
                try await handle.end()
                return .redirect(to: routes.login.url(), type: .normal)
            }
            context.signedIn = .consumer(
                Consumer(id: login.id, username: login.username, fullName: login.fullName, accountID: login.accountID), session)
        case (_, .consumer):
            throw PageError.notFound
        case (.staffSigningIn, .staff), (.staff, .staff):
            guard login.status == .active else { throw PageError.notFound }
            // Locked by wrong codes or passwords: no session may go on trying codes.
            if group == .staffSigningIn, login.locked {
                try await handle.end()
                return .redirect(to: routes.login.url(), type: .normal)
            }
            let member = StaffMember(login: login, secondFactorPassed: session.secondFactorPassed)
            let step = StaffMember.nextStep(for: member)
            if group == .staff, let step { return .redirect(to: step.endpoint.url(), type: .normal) }
            if group == .staffSigningIn, step == nil { return .redirect(to: routes.staff.url(), type: .normal) }
            context.signedIn = .staff(member, session)
        }
        return try await next(request, context)
    }
}
