import Foundation
import Platform

/// What the sandbox gateway's hosted page does: it shows a checkout, takes a test card, and
/// queues the webhook a real gateway would send. The test cards:
/// - 4242 4242 4242 4242 succeeds at once;
/// - 4000 0000 0000 0002 is declined;
/// - 4000 0000 0000 0077 stays pending and succeeds two minutes later.
/// A paid checkout can be charged back, as a bank would, to try reversals.
public struct SandboxCheckouts: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public static let succeeds = "4242424242424242"
    public static let declined = "4000000000000002"
    public static let pendingThenSucceeds = "4000000000000077"
    /// How long a pending card's payment takes to succeed.
    public static let pendingDelay: TimeInterval = 120

    public struct Details: Sendable, Equatable {
        public let id: String
        public let amount: Money
        public let currency: String
        public let description: String
        public let returnURL: String
        public let status: CheckoutStatus
        public let cardLast4: String?
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case cardMissing
        case notATestCard
        case alreadyPaid(CheckoutStatus)
        case notPaid

        public var description: String {
            switch self {
            case .cardMissing: "Enter a card number."
            case .notATestCard: "This is the sandbox: use one of the test card numbers listed below. No real card is ever charged here."
            case .alreadyPaid(let status): "This checkout is already \(status.rawValue)."
            case .notPaid: "Only a paid checkout can be charged back."
            }
        }
    }

    /// The gateway's settlement file, as finance downloads it from a real gateway: every paid
    /// checkout with its amount and the day it was paid (`checkout,amount,date`).
    public func settlement(currency: Currency) async throws -> String {
        let rows = try await database.query(
            "SELECT id, amount, paid_at::date::text AS day FROM sandbox_checkouts WHERE status = 'succeeded' ORDER BY paid_at, id"
        ).rows.map {
            [try $0.decode("id", as: String.self), currency.plain(Money(minorUnits: try $0.decode("amount"))), try $0.decode("day", as: String.self)]
        }
        return CSVWriter.document(header: ["checkout", "amount", "date"], rows: rows)
    }

    public func details(_ id: String) async throws -> Details {
        guard
            let row = try await database.query(
                "SELECT id, amount, currency, description, return_url, status, card_last4 FROM sandbox_checkouts WHERE id = \(id)"
            ).rows.first
        else { throw NotFound("checkout") }
        return Details(
            id: try row.decode("id"), amount: Money(minorUnits: try row.decode("amount")), currency: try row.decode("currency"),
            description: try row.decode("description"), returnURL: try row.decode("return_url"),
            status: CheckoutStatus(rawValue: try row.decode("status")) ?? .open, cardLast4: try row.decode("card_last4"))
    }

    /// Pays with a test card; the outcome reaches Meterline only through the webhook.
    public func pay(_ id: String, card: String) async throws -> CheckoutStatus {
        let digits = card.filter { !$0.isWhitespace && $0 != "-" }
        guard !digits.isEmpty else { throw Refused.cardMissing }
        let now = database.clock.now
        return try await database.transaction { connection in
            let checkout = try Self.lock(id, on: connection)
            guard checkout.status == "open" else { throw Refused.alreadyPaid(CheckoutStatus(rawValue: checkout.status) ?? .open) }
            let status: CheckoutStatus
            let events: [(GatewayEvent.Kind, TimeInterval, String?)]
            switch digits {
            case Self.succeeds: (status, events) = (.succeeded, [(.succeeded, 0, nil)])
            case Self.declined: (status, events) = (.declined, [(.failed, 0, "Your card was declined.")])
            case Self.pendingThenSucceeds: (status, events) = (.pending, [(.succeeded, Self.pendingDelay, nil)])
            default: throw Refused.notATestCard
            }
            let paidAt: Date? = status == .declined ? nil : now
            try connection.execute(
                """
                UPDATE sandbox_checkouts SET status = $2, card_last4 = $3, paid_at = $4 WHERE id = $1
                """, [id, status.rawValue, String(digits.suffix(4)), paidAt])
            for (kind, delay, reason) in events {
                try Self.queue(kind, for: checkout, reason: reason, due: now.addingTimeInterval(delay), now: now, on: connection)
            }
            return status
        }
    }

    /// The consumer's bank takes the money back.
    public func chargeBack(_ id: String) async throws {
        let now = database.clock.now
        try await database.transaction { connection in
            let checkout = try Self.lock(id, on: connection)
            // A pending payment has not been taken yet: there is nothing for a bank to take back.
            guard checkout.status == "succeeded" else { throw Refused.notPaid }
            try connection.execute("UPDATE sandbox_checkouts SET status = 'reversed' WHERE id = \(id)")
            try Self.queue(.reversed, for: checkout, reason: "Charged back by the card holder's bank.", due: now, now: now, on: connection)
        }
    }

    private struct Locked {
        let id: String
        let amount: Int64
        let currency: String
        let status: String
        let webhookURL: String
    }

    private static func lock(_ id: String, on connection: PostgresConnection) throws -> Locked {
        guard
            let row = try connection.query(
                "SELECT id, amount, currency, status, webhook_url FROM sandbox_checkouts WHERE id = \(id) FOR UPDATE"
            ).rows.first
        else { throw NotFound("checkout") }
        return Locked(
            id: try row.decode("id"), amount: try row.decode("amount"), currency: try row.decode("currency"), status: try row.decode("status"),
            webhookURL: try row.decode("webhook_url"))
    }

    private static func queue(
        _ kind: GatewayEvent.Kind, for checkout: Locked, reason: String?, due: Date, now: Date, on connection: PostgresConnection
    ) throws {
        let event = GatewayEvent(
            id: "evt_" + SecureRandom.token(byteCount: 18), type: kind, checkout: checkout.id, amount: checkout.amount,
            currency: checkout.currency, created: Int64(due.timeIntervalSince1970), reason: reason)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = String(decoding: try encoder.encode(event), as: UTF8.self)
        try connection.execute(
            """
            INSERT INTO sandbox_webhooks (checkout_id, event_id, body, url, created_at, due_at)
            VALUES (\(checkout.id), \(event.id), \(body), \(checkout.webhookURL), \(now), \(due))
            """)
    }
}
