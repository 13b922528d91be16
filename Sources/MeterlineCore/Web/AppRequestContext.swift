import Hummingbird

/// The request context every route sees: Hummingbird's core storage plus this request's session.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `SessionMiddleware`; loaded from the database only when something asks for it.
    public var session: SessionHandle?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.session = nil
    }

    /// Forms are posted URL-encoded.
    public var requestDecoder: FormRequestDecoder { FormRequestDecoder() }
}
