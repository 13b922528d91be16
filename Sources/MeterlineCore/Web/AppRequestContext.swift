import Hummingbird

/// The request context every route sees: Hummingbird's core storage plus this request's session.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `SessionMiddleware`; loaded from the database only when something asks for it.
    public var session: SessionHandle?
    /// The peer's IP address ("unknown" when there is none, as in tests). Behind a trusted proxy
    /// `ClientAddressMiddleware` replaces it with the one the proxy reports.
    public var clientAddress: String

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.session = nil
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Forms are posted URL-encoded.
    public var requestDecoder: FormRequestDecoder { FormRequestDecoder() }

    /// Large enough for a CSV file of readings (about 400,000 lines); bigger bodies get a 413.
    public var maxUploadSize: Int { 16 * 1024 * 1024 }
}

extension AppRequestContext {
    /// The session handle `SessionMiddleware` installs; its absence is a wiring error.
    public func requireSession() throws -> SessionHandle {
        guard let session else { throw PageError.internalError }
        return session
    }
}
