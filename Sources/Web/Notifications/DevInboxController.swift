import Accounts
import Foundation
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// /dev/inbox: every SMS and email the portal has queued, newest first, so that in development a
/// person (or a browser test) can read the code that "would have been" texted. Only mounted in dev mode.
public struct DevInboxController: Sendable {
    let database: Database
    let renderer: PageRenderer

    public init(database: Database, renderer: PageRenderer) {
        self.database = database
        self.renderer = renderer
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(Routes.site.devInbox, use: index)
    }

    @Sendable func index(_ request: Request, context: AppRequestContext) async throws -> Response {
        let rows = try await database.query(
            """
            SELECT id, channel, recipient, subject, body, purpose, status, attempts,
                   to_char(created_at, 'YYYY-MM-DD HH24:MI:SS') AS created
            FROM notifications ORDER BY created_at DESC, id DESC LIMIT 200
            """)
        let messages = try rows.rows.map { row in
            DevInboxIndex.Message(
                id: try row.decode("id"), channel: try row.decode("channel"), recipient: try row.decode("recipient"),
                subject: try row.decode("subject"), body: DevInboxIndex.Piece.split(try row.decode("body", as: String.self)),
                purpose: try row.decode("purpose"),
                status: try row.decode("status"), created: try row.decode("created"))
        }
        return try renderer.response(DevInboxIndex(messages: messages, empty: messages.isEmpty))
    }
}

/// The model of `notifications/inbox.mustache`.
struct DevInboxIndex: Page {
    static let template = "notifications/inbox"
    let chrome = Chrome()
    let title = "Development inbox"
    let messages: [Message]
    let empty: Bool

    struct Message: Encodable, Sendable {
        let id: Int64
        let channel: String
        let recipient: String
        let subject: String?
        let body: [Piece]
        let purpose: String
        let status: String
        let created: String
    }

    /// A message body in pieces, so that the links in an email can be opened from the inbox.
    struct Piece: Encodable, Sendable, Equatable {
        let text: String
        let link: Bool

        static func split(_ body: String) -> [Piece] {
            var pieces = [Piece]()
            var rest = body[...]
            while let match = rest.firstMatch(of: /https?:\/\/[^\s<>"]+/) {
                if match.range.lowerBound > rest.startIndex { pieces.append(Piece(text: String(rest[..<match.range.lowerBound]), link: false)) }
                pieces.append(Piece(text: String(match.output), link: true))
                rest = rest[match.range.upperBound...]
            }
            if !rest.isEmpty { pieces.append(Piece(text: String(rest), link: false)) }
            return pieces
        }
    }
}
