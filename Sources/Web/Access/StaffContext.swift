import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// The context of every staff page: a staff member with the first sign-in done and the
/// authenticator passed in this session. Each route adds its permission.
public struct StaffContext: ChildRequestContext, AudienceContext {
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
    /// Large enough for a CSV file of readings (about 400,000 lines); bigger bodies get a 413.
    public var maxUploadSize: Int { AppRequestContext.uploadLimit }
    public var chrome: Chrome { Chrome(user: member.fullName, csrfToken: session.csrfToken, staff: true) }

    public static func group(in site: SiteRouter) -> RouterGroup<Self> { site.staff }

    /// The route's permission: without it, 403.
    public func admit(_ audience: Audience) throws {
        guard case .staff(let permission) = audience, member.may(permission) else { throw PageError.forbidden }
    }
}
