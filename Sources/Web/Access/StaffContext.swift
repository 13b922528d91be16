import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// The context of the staff pages, in two phases that are two types, so a route declares which
/// one it opens to and the compiler keeps them apart:
/// - `StaffContext`: a staff member with the first sign-in done and the authenticator passed in
///   this session. Each route adds its permission.
/// - `StaffSigningInContext`: a staff member with a step still open (the first-sign-in pages).
public struct StaffRequestContext<Phase: StaffPhase>: ChildRequestContext, AudienceContext {
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
    public var maxUploadSize: Int { Phase.maxUploadSize }
    public var chrome: Chrome { Chrome(user: member.fullName, csrfToken: session.csrfToken, staff: true) }

    public static func group(in site: SiteRouter) -> RouterGroup<Self> { Phase.group(in: site) }
    public func admit(_ audience: Audience) throws { try Phase.admit(member, to: audience) }
}

public typealias StaffContext = StaffRequestContext<StaffSignedIn>
public typealias StaffSigningInContext = StaffRequestContext<StaffSigningIn>

/// What differs between the two phases of a staff member's request.
public protocol StaffPhase: Sendable {
    static func group(in site: SiteRouter) -> RouterGroup<StaffRequestContext<Self>>
    static func admit(_ member: StaffMember, to audience: Audience) throws
    static var maxUploadSize: Int { get }
}

public enum StaffSignedIn: StaffPhase {
    public static func group(in site: SiteRouter) -> RouterGroup<StaffContext> { site.staff }

    /// The route's permission: without it, 403.
    public static func admit(_ member: StaffMember, to audience: Audience) throws {
        guard case .staff(let permission) = audience, member.may(permission) else { throw PageError.forbidden }
    }

    /// Large enough for a CSV file of readings (about 400,000 lines); bigger bodies get a 413.
    public static var maxUploadSize: Int { AppRequestContext.uploadLimit }
}

public enum StaffSigningIn: StaffPhase {
    public static func group(in site: SiteRouter) -> RouterGroup<StaffSigningInContext> { site.staffSigningIn }
    public static func admit(_ member: StaffMember, to audience: Audience) throws {}
    /// Only small forms are posted before the first sign-in is done.
    public static var maxUploadSize: Int { 2 * 1024 * 1024 }
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
