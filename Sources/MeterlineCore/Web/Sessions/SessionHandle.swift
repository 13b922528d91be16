import Synchronization

/// One request's view of its session. Nothing touches the database until a handler asks, so
/// static files and pages without forms cost no query; changes become a Set-Cookie on the way out.
public final class SessionHandle: Sendable {
    enum Loaded: Sendable {
        case notYet
        case done(Session?)
    }

    struct State: Sendable {
        var loaded: Loaded = .notYet
        /// A token the response must set (new or rotated session), or "" to clear the cookie.
        var cookieChange: String?
    }

    let store: SessionStore
    let cookieToken: String?
    let userAgent: String?
    let clientAddress: String?
    let state = Mutex(State())

    init(store: SessionStore, cookieToken: String?, userAgent: String? = nil, clientAddress: String? = nil) {
        self.store = store
        self.cookieToken = cookieToken
        self.userAgent = userAgent
        self.clientAddress = clientAddress
    }

    /// The current session, if the browser has a live one.
    public func current() async throws -> Session? {
        if case .done(let session) = state.withLock({ $0.loaded }) { return session }
        let session: Session? = if let cookieToken { try await store.load(token: cookieToken) } else { nil }
        state.withLock { $0.loaded = .done(session) }
        return session
    }

    /// The session, started now if there is none (a page with a form needs its CSRF token).
    public func currentOrNew() async throws -> Session {
        if let session = try await current() { return session }
        let (token, session) = try await store.create(userAgent: userAgent, clientAddress: clientAddress)
        state.withLock {
            $0.loaded = .done(session)
            $0.cookieChange = token
        }
        return session
    }

    /// The CSRF token to embed in this page's forms.
    public func csrfToken() async throws -> String {
        try await currentOrNew().csrfToken
    }

    /// Gives the session a new id; called when someone signs in.
    public func rotate() async throws {
        let session = try await currentOrNew()
        let (token, rotated) = try await store.rotate(session)
        state.withLock {
            $0.loaded = .done(rotated)
            $0.cookieChange = token
        }
    }

    /// Signs `userID` in: a new session id (so one planted before sign-in is worthless), owned by them.
    public func signIn(userID: Int64) async throws {
        try await rotate()
        try await setOwner(userID: userID, pendingUserID: nil, clearSecondFactor: true)
    }

    /// Remembers the registration waiting for its code in this browser.
    public func setPendingRegistration(userID: Int64) async throws {
        try await setOwner(userID: try await current()?.userID, pendingUserID: userID, clearSecondFactor: false)
    }

    private func setOwner(userID: Int64?, pendingUserID: Int64?, clearSecondFactor: Bool) async throws {
        var session = try await currentOrNew()
        try await store.setOwner(session, userID: userID, pendingUserID: pendingUserID, clearSecondFactor: clearSecondFactor)
        if clearSecondFactor { session.secondFactorPassed = false }
        session.userID = userID
        session.pendingUserID = pendingUserID
        state.withLock { $0.loaded = .done(session) }
    }

    /// Staff: records that the authenticator code was accepted in this session.
    public func markSecondFactor() async throws {
        var session = try await currentOrNew()
        try await store.markSecondFactor(session)
        session.secondFactorPassed = true
        state.withLock { $0.loaded = .done(session) }
    }

    /// Ends the session here and in the database.
    public func end() async throws {
        if let session = try await current() { try await store.destroy(session) }
        state.withLock {
            $0.loaded = .done(nil)
            $0.cookieChange = ""
        }
    }

    var cookieChange: String? { state.withLock { $0.cookieChange } }
}
