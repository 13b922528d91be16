import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// The context of every consumer page: an active consumer login, checked at this request.
public struct ConsumerContext: ChildRequestContext, AudienceContext {
    public var coreContext: CoreRequestContextStorage
    public let consumer: Consumer
    public let session: Session
    public let sessionHandle: SessionHandle
    public let clientAddress: String

    public init(context: AppRequestContext) throws {
        guard case .consumer(let consumer, let session)? = context.signedIn else { throw PageError.internalError }
        coreContext = context.coreContext
        self.consumer = consumer
        self.session = session
        sessionHandle = try context.requireSession()
        clientAddress = context.clientAddress
    }

    public var requestDecoder: FormRequestDecoder { FormRequestDecoder() }
    public var chrome: Chrome { Chrome(user: consumer.fullName, csrfToken: session.csrfToken) }

    public static func group(in site: SiteRouter) -> RouterGroup<Self> { site.consumers }
    public func admit(_ audience: Audience) throws {}
}
