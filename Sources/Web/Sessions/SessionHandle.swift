import Accounts
import Identity
import Metering
import Notifications
import Platform
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
        /// A signed form-token cookie the response must set, for a visitor without a session.
        var formCookieChange: String?
        var formToken: String?
    }

    let store: SessionStore
    let cookieToken: String?
    /// The form token from the signed cookie of a visitor without a session, if valid.
    let cookieFormToken: String?
    let userAgent: String?
    let clientAddress: String?
    let state = Mutex(State())

    init(store: SessionStore, cookieToken: String?, formCookie: String? = nil, userAgent: String? = nil, clientAddress: String? = nil) {
        self.store = store
        self.cookieToken = cookieToken
        self.cookieFormToken = formCookie.flatMap { store.formToken(fromCookie: $0) }
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
        let (token, session) = try await store.create(
            userAgent: userAgent, clientAddress: clientAddress, csrf: state.withLock { $0.formToken } ?? cookieFormToken)
        state.withLock {
            $0.loaded = .done(session)
            $0.cookieChange = token
        }
        return session
    }

    /// The CSRF token to embed in this page's forms: the session's, or for a visitor without one
    /// a token in a signed cookie, so that showing a form writes nothing to the database.
    public func csrfToken() async throws -> String {
        if let session = try await current() { return session.csrfToken }
        if let token = cookieFormToken ?? state.withLock({ $0.formToken }) { return token }
        let (token, cookie) = store.newFormCookie()
        state.withLock {
            $0.formToken = token
            $0.formCookieChange = cookie
        }
        return token
    }

    /// Whether `sent` is this visitor's form token: the session's, or while nobody is signed in
    /// here, the one in the signed cookie.
    public func accepts(formToken sent: String) async throws -> Bool {
        let session = try await current()
        if let session, Digest.constantTimeEquals(Array(sent.utf8), Array(session.csrfToken.utf8)) { return true }
        guard session?.userID == nil, let cookieFormToken else { return false }
        return Digest.constantTimeEquals(Array(sent.utf8), Array(cookieFormToken.utf8))
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

    /// Leaves a notice for the next page this browser loads (after the redirect of a form post).
    public func flash(_ message: String) async throws {
        var session = try await currentOrNew()
        try await store.setFlash(session, message)
        session.flash = message
        state.withLock { $0.loaded = .done(session) }
    }

    /// The notice left by the last form post, once: reading it clears it.
    public func takeFlash() async throws -> String? {
        guard var session = try await current(), let message = session.flash else { return nil }
        try await store.setFlash(session, nil)
        session.flash = nil
        state.withLock { $0.loaded = .done(session) }
        return message
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
    var formCookieChange: String? { state.withLock { $0.formCookieChange } }
}
