import Foundation
import Testing

@testable import Web

@Suite("Links from the route table")
struct RoutesTests {
    @Test("a link fills in its parameters, each encoded as one path segment")
    func pathParameters() {
        #expect(Routes.site.premise.url("100200300") == "/account/premises/100200300")
        #expect(Routes.site.premise.url("1 2/3?x") == "/account/premises/1%202%2F3%3Fx")
        #expect(Routes.site.premiseTenants.url("Ñ-._~") == "/account/premises/%C3%91-._~/tenants")
    }

    @Test("query values are encoded, so a search for a street with an ampersand stays one value")
    func queryValues() {
        #expect(Routes.site.adminAccounts.url(query: [("q", "Mill & Sons")]) == "/admin/accounts?q=Mill%20%26%20Sons")
        #expect(Routes.site.adminAccounts.url() == "/admin/accounts")
    }

    @Test("no template builds a link by gluing text to a route: every href and action is one value from the route table")
    func templatesDoNotConcatenateURLs() throws {
        let folder = URL(fileURLWithPath: Checkout.templates)
        let files =
            FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "mustache" } ?? []
        #expect(files.count > 20)
        // An attribute whose value mixes a tag with literal path text, e.g. "{{routes.x}}/{{id}}" or "/a/{{id}}".
        let glued = /(?:href|action|src)="(?:[^"{]*\/[^"{]*\{\{|[^"]*\}\}[^"]*\/)[^"]*"/
        var offenders: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: glued) { offenders.append("\(file.lastPathComponent): \(match.output)") }
        }
        #expect(offenders.isEmpty, "\(offenders)")
    }
}
