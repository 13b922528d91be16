import Platform

/// An SMS or email waiting in the outbox.
public struct OutgoingNotification: Sendable, Equatable {
    public init(id: Int64, channel: Channel, recipient: String, subject: String? = nil, body: String, purpose: String) {
        self.id = id
        self.channel = channel
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.purpose = purpose
    }

    public enum Channel: String, Sendable {
        case sms
        case email
    }

    public var id: Int64
    public var channel: Channel
    public var recipient: String
    public var subject: String?
    public var body: String
    public var purpose: String
}

/// Writes notifications into the outbox. Call it inside the transaction of the event that causes
/// the message, so that the message exists exactly when the event does.
public enum Outbox {
    @discardableResult
    public static func enqueue(
        on connection: PostgresConnection, channel: OutgoingNotification.Channel, to recipient: String,
        subject: String? = nil, body: String, purpose: String
    ) throws -> Int64 {
        try connection.query(
            """
            INSERT INTO notifications (channel, recipient, subject, body, purpose, created_at, next_attempt_at)
            VALUES ($1, $2, $3, $4, $5, \(connection.now), \(connection.now)) RETURNING id
            """, [channel.rawValue, recipient, subject, body, purpose]
        ).rows[0].decode("id", as: Int64.self)
    }

    /// A message to write; the outbox gives it its id.
    public struct Message: Sendable, Equatable {
        public let channel: OutgoingNotification.Channel
        public let recipient: String
        public let subject: String?
        public let body: String

        public init(channel: OutgoingNotification.Channel, recipient: String, subject: String? = nil, body: String) {
            self.channel = channel
            self.recipient = recipient
            self.subject = subject
            self.body = body
        }
    }

    /// Many messages in one statement.
    public static func enqueue(_ messages: [Message], purpose: String, on connection: PostgresConnection) throws {
        guard !messages.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO notifications (channel, recipient, subject, body, purpose, created_at, next_attempt_at)
            SELECT channel, recipient, CASE WHEN has_subject THEN subject END, body, \(purpose), \(connection.now), \(connection.now)
            FROM unnest(\(TextList(messages.map(\.channel.rawValue)))::text[], \(TextList(messages.map(\.recipient)))::text[],
                        \(TextList(messages.map { $0.subject ?? "" }))::text[], \(TextList(messages.map { $0.subject == nil ? "f" : "t" }))::boolean[],
                        \(TextList(messages.map(\.body)))::text[])
                 AS m (channel, recipient, subject, has_subject, body)
            """)
    }
}
