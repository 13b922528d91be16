import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// The request context every route starts with: Hummingbird's core storage plus this request's
/// session. Routes for consumers and staff get their own contexts from it (`Web/Access`).
public struct AppRequestContext: RequestContext, AudienceContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `SessionMiddleware`; loaded from the database only when something asks for it.
    public var session: SessionHandle?
    /// The peer's IP address ("unknown" when there is none, as in tests). Behind a trusted proxy
    /// `ClientAddressMiddleware` replaces it with the one the proxy reports.
    public var clientAddress: String
    /// Set by the gate of a consumer or staff route group.
    public var signedIn: SignedIn?
    /// Set by the gate of the bridge route group: the body whose signature it checked.
    public var signedBody: [UInt8]?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.session = nil
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
        self.signedIn = nil
        self.signedBody = nil
    }

    /// Forms are posted URL-encoded.
    public var requestDecoder: FormRequestDecoder { FormRequestDecoder() }

    /// Large enough for a CSV file of readings (about 400,000 lines); bigger bodies get a 413.
    public static let uploadLimit = 16 * 1024 * 1024
    public var maxUploadSize: Int { Self.uploadLimit }

    public static func group(in site: SiteRouter) -> RouterGroup<Self> { site.everyone }
    public func admit(_ audience: Audience) throws {}
}

extension AppRequestContext {
    /// The session handle `SessionMiddleware` installs; its absence is a wiring error.
    public func requireSession() throws -> SessionHandle {
        guard let session else { throw PageError.internalError }
        return session
    }
}
