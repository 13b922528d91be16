import Mustache
import Platform

/// The layout around every page, rendered once per kind of visitor with a marker where each of the
/// page's own parts goes. A page then costs rendering its own template only: profiling `/account`
/// showed the layout's name lookups as most of swift-mustache's time.
struct LayoutFrame: Sendable {
    enum Slot: String, CaseIterable, Sendable { case title, scripts, csrfToken, body }

    /// Who the layout is drawn for: its navigation differs, nothing else does.
    enum Audience: CaseIterable, Sendable { case visitor, consumer, staff }

    /// Literal text, each followed by the slot that comes next (none after the last).
    let pieces: [(text: String, slot: Slot?)]

    /// Renders `layout` around marker text and cuts it at the markers.
    init(audience: Audience, library: MustacheLibrary, assets: [String: String]) throws {
        let nonce = Hex.encode(SecureRandom.bytes(8))
        func marker(_ slot: Slot) -> String { "meterline\(slot.rawValue)slot\(nonce)" }
        var library = library
        try library.register(
            "{{<layout}}{{$scripts}}\(marker(.scripts)){{/scripts}}{{$body}}\(marker(.body)){{/body}}{{/layout}}",
            named: "meterline-layout-frame")
        let chrome: Chrome =
            switch audience {
            case .visitor: Chrome()
            case .consumer: Chrome(user: "-", csrfToken: marker(.csrfToken))
            case .staff: Chrome(user: "-", csrfToken: marker(.csrfToken), staff: true)
            }
        let values: [String: Any] = ["title": marker(.title), "chrome": try TemplateEncoder.encode(chrome), "assets": assets]
        guard let html = library.render(values, withTemplate: "meterline-layout-frame") else {
            throw PageRenderer.MissingTemplate(name: "layout")
        }
        var pieces: [(text: String, slot: Slot?)] = []
        var rest = html[...]
        while let next = Slot.allCases.compactMap({ slot in rest.range(of: marker(slot)).map { (slot, $0) } })
            .min(by: { $0.1.lowerBound < $1.1.lowerBound })
        {
            pieces.append((String(rest[..<next.1.lowerBound]), next.0))
            rest = rest[next.1.upperBound...]
        }
        pieces.append((String(rest), nil))
        self.pieces = pieces
    }

    /// The whole page: the frame's text with each slot's value in its place.
    func fill(_ value: (Slot) -> Substring) -> String {
        var html = ""
        html.reserveCapacity(pieces.reduce(0) { $0 + $1.text.utf8.count } + 4096)
        for piece in pieces {
            html += piece.text
            if let slot = piece.slot { html += value(slot) }
        }
        return html
    }
}
