import Accounts
import Hummingbird
import Identity
import Metering
import Mustache
import Notifications
import Platform

/// A page's typed model; `template` names its file under Templates/ (`home/index`).
/// Every page inherits `layout.mustache`, which reads `title` and `chrome`.
public protocol Page: Encodable, Sendable {
    static var template: String { get }
    var title: String { get }
    var chrome: Chrome { get }
}

/// What the layout shows around every page: for a signed-in person, their name, a link to their
/// own home (the account, or the staff home) and a sign-out button (a POST form, so it carries
/// the CSRF token).
public struct Chrome: Encodable, Sendable {
    public let siteName = "Meterline"
    public let routes = Routes.site
    public var user: String?
    public var csrfToken: String?
    public var homeLink: String
    public var homeLabel: String

    public init(user: String? = nil, csrfToken: String? = nil, staff: Bool = false) {
        self.user = user
        self.csrfToken = csrfToken
        homeLink = staff ? Routes.site.staff.url() : Routes.site.account.url()
        homeLabel = staff ? "Staff home" : "Your account"
    }
}

/// Renders page models with the templates loaded once at start.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    /// Fingerprinted URLs of static files, as `{{assets.stylesheet}}` and `{{assets.logo}}`.
    let assets: [String: String]

    public init(directory: String, assets: [String: String] = [:]) async throws {
        self.library = try await MustacheLibrary(directory: directory)
        self.assets = assets
    }

    public func render<P: Page>(_ page: P) throws -> String {
        var values = try TemplateEncoder.encode(page)
        if var root = values as? [String: Any] {
            root["assets"] = assets
            values = root
        }
        guard let html = library.render(values, withTemplate: P.template) else {
            throw MissingTemplate(name: P.template)
        }
        return html
    }

    public func response<P: Page>(_ page: P, status: HTTPResponse.Status = .ok) throws -> Response {
        Self.html(try render(page), status: status)
    }

    /// Renders a page that is the same for every visitor once, so serving it costs no rendering.
    public func prerender<P: Page>(_ page: P, status: HTTPResponse.Status = .ok) throws -> PrerenderedPage {
        PrerenderedPage(body: ByteBuffer(string: try render(page)), status: status)
    }

    static func html(_ html: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    struct MissingTemplate: Error, CustomStringConvertible {
        let name: String
        var description: String { "no template named \(name) in Templates/" }
    }
}

/// A page rendered at start-up; each response shares its bytes.
/// A page that is the same for every visitor but for its form token (the sign-in page): rendered
/// once with a marker where the token goes, then served by joining the parts with each token.
/// Profiling showed rendering, not the database, was most of the sign-in page's cost.
public struct TokenSlottedPage: Sendable {
    let parts: [String]

    public func response(token: String) -> Response {
        PageRenderer.html(parts.joined(separator: token), status: .ok)
    }
}

extension PageRenderer {
    public func prerender<P: Page>(withToken page: (String) -> P) throws -> TokenSlottedPage {
        let marker = "meterline-form-token-" + Hex.encode(SecureRandom.bytes(8))
        return TokenSlottedPage(parts: try render(page(marker)).components(separatedBy: marker))
    }
}

public struct PrerenderedPage: Sendable {
    let body: ByteBuffer
    let status: HTTPResponse.Status

    public func response() -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: body))
    }
}
