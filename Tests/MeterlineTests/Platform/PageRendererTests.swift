import Foundation
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("Page rendering")
struct PageRendererTests {
    /// A page model exercising what templates use: nested values, lists, flags, optionals.
    struct ErrorShowPage: Page {
        static let template = "errors/show"
        let chrome = Chrome()
        let title: String
        let heading: String
        let message: String
        let status: Int
        let reference: String?
    }

    @Test("what people typed is shown escaped, never as markup")
    func escapesUserText() async throws {
        let renderer = try await PageRenderer(directory: Checkout.templates)
        let html = try renderer.render(
            ErrorShowPage(
                title: "t", heading: "<script>alert(1)</script>", message: "Tom & \"Jerry\" <b>", status: 400, reference: nil))
        #expect(!html.contains("<script>alert(1)</script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("Tom &amp; &quot;Jerry&quot; &lt;b&gt;"))
    }

    @Test("nested values, numbers and optional sections reach the template")
    func modelReachesTemplate() async throws {
        let renderer = try await PageRenderer(directory: Checkout.templates, assets: ["stylesheet": "/css/site.css"])
        let with = try renderer.render(ErrorShowPage(title: "T", heading: "H", message: "M", status: 503, reference: "ref-42"))
        #expect(with.contains("<title>T · Meterline</title>"))
        #expect(with.contains("Error 503"))
        #expect(with.contains("<code>ref-42</code>"))
        #expect(with.contains(#"href="/css/site.css""#))
        let without = try renderer.render(ErrorShowPage(title: "T", heading: "H", message: "M", status: 404, reference: nil))
        #expect(!without.contains("Reference:"))
    }

    @Test("lists render once per item, in order")
    func lists() async throws {
        let renderer = try await PageRenderer(directory: Checkout.templates)
        let html = try renderer.render(HomeIndex())
        let headings = HomeIndex().tasks.map(\.heading)
        let positions = headings.compactMap { html.range(of: "<h3>\($0)</h3>")?.lowerBound }
        #expect(positions.count == headings.count)
        #expect(positions == positions.sorted())
    }

    @Test("a page whose template does not exist is an error, not an empty page")
    func missingTemplate() async throws {
        struct Nowhere: Page {
            static let template = "no/such/template"
            let chrome = Chrome()
            let title = "x"
        }
        let renderer = try await PageRenderer(directory: Checkout.templates)
        #expect(throws: PageRenderer.MissingTemplate.self) { try renderer.render(Nowhere()) }
    }
}
