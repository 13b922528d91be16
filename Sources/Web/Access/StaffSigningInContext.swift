import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// The context of the first-sign-in pages: a staff member with a step still open.
public struct StaffSigningInContext: ChildRequestContext, AudienceContext {
    public var coreContext: CoreRequestContextStorage
    public let member: StaffMember
    public let session: Session
    public let sessionHandle: SessionHandle
    public let clientAddress: String

    public init(context: AppRequestContext) throws {
        guard case .staff(let member, let session)? = context.signedIn else { throw PageError.internalError }
        coreContext = context.coreContext
        self.member = member
        self.session = session
        sessionHandle = try context.requireSession()
        clientAddress = context.clientAddress
    }

    public var requestDecoder: FormRequestDecoder { FormRequestDecoder() }
    public var chrome: Chrome { Chrome(user: member.fullName, csrfToken: session.csrfToken, staff: true) }

    public static func group(in site: SiteRouter) -> RouterGroup<Self> { site.staffSigningIn }
    public func admit(_ audience: Audience) throws {}
}

extension StaffMember.Step {
    /// The page of the step.
    var endpoint: Endpoint<StaffSigningInContext> {
        switch self {
        case .changePassword: Routes.site.staffPassword
        case .enrol: Routes.site.staffEnrol
        case .verify: Routes.site.staffVerify
        }
    }
}
