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
    let audience: LayoutFrame.Audience

    public init(user: String? = nil, csrfToken: String? = nil, staff: Bool = false) {
        self.user = user
        self.csrfToken = csrfToken
        audience = user == nil ? .visitor : staff ? .staff : .consumer
        homeLink = staff ? Self.staffHome : Self.consumerHome
        homeLabel = staff ? "Staff home" : "Your account"
    }

    enum CodingKeys: String, CodingKey { case siteName, routes, user, csrfToken, homeLink, homeLabel }
    private static let staffHome = Routes.site.staff.url()
    private static let consumerHome = Routes.site.account.url()
}

/// Renders page models with the templates loaded once at start. The layout is drawn once per
/// audience (`LayoutFrame`); each page renders its own template against a layout that yields
/// only its parts, separated by NUL, which no page text can hold (refused at the edge, and
/// PostgreSQL cannot store it).
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let frames: [LayoutFrame.Audience: LayoutFrame]

    public init(directory: String, assets: [String: String] = [:]) async throws {
        let library = try await MustacheLibrary(directory: directory)
        frames = try Dictionary(
            uniqueKeysWithValues: LayoutFrame.Audience.allCases.map { ($0, try LayoutFrame(audience: $0, library: library, assets: assets)) })
        HTMLEscaping.register()
        var parts = library
        try parts.register("{{%CONTENT_TYPE:HTML}}{{title}}\0{{$scripts}}{{/scripts}}\0{{$body}}{{/body}}", named: "layout")
        self.library = parts
    }

    public func render<P: Page>(_ page: P) throws -> String {
        guard let parts = library.render(try TemplateEncoder.encode(page), withTemplate: P.template) else {
            throw MissingTemplate(name: P.template)
        }
        let split = parts.split(separator: "\0", maxSplits: 2, omittingEmptySubsequences: false)
        guard split.count == 3, let frame = frames[page.chrome.audience] else { throw MissingTemplate(name: P.template) }
        return frame.fill { slot in
            switch slot {
            case .title: split[0]
            case .scripts: split[1]
            case .body: split[2]
            case .csrfToken: Substring(page.chrome.csrfToken ?? "")
            }
        }
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
