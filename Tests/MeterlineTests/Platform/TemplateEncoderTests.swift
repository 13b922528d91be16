import Foundation
import Mustache
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("Page models as template values")
struct TemplateEncoderTests {
    struct Row: Encodable {
        let name: String?
        let amount: Int
    }

    struct Table: Encodable {
        let name: String?
        let rows: [Row]
    }

    func render(_ model: some Encodable, _ template: String) throws -> String {
        try MustacheTemplate(string: template).render(try TemplateEncoder.encode(model))
    }

    @Test("a nil field shows nothing, never the enclosing value of the same name")
    func nilFieldIsNotTheParents() throws {
        let model = Table(name: "Parent", rows: [Row(name: nil, amount: 1), Row(name: "Child", amount: 2)])
        #expect(try render(model, "{{#rows}}[{{name}}]{{/rows}}") == "[][Child]")
        #expect(try render(model, "{{#rows}}{{#name}}has {{.}};{{/name}}{{^name}}none;{{/name}}{{/rows}}") == "none;has Child;")
    }

    @Test("a table of 16,000 rows encodes every row, in order")
    func largeTable() throws {
        let rows = (0..<16_000).map { Row(name: "r\($0)", amount: $0) }
        let html = try render(Table(name: nil, rows: rows), "{{#rows}}<tr>{{amount}}</tr>{{/rows}}")
        #expect(html.components(separatedBy: "<tr>").count == 16_001)
        #expect(html.hasSuffix("<tr>15999</tr>"))
    }
}
