import Foundation
import Platform

/// BL-5: a gateway's callback. Its signature is checked first; each event is stored once by its
/// id (the same event twice, even at the same moment, makes one ledger entry); then the payment
/// moves: pending → succeeded (credited, receipt) or failed; succeeded → reversed (chargeback).
/// Events that do not fit the payment's state (a success after a reversal, say) are stored and
/// change nothing.
public struct ReceivePaymentEvent: Sendable {
    let database: Database
    let gateway: any PaymentGateway
    let settings: PaymentSettings
    /// Makes the token a purchase of prepaid credit buys.
    let prepaid: PrepaidSale

    public init(database: Database, gateway: any PaymentGateway, settings: PaymentSettings, prepaid: PrepaidSale) {
        self.database = database
        self.gateway = gateway
        self.settings = settings
        self.prepaid = prepaid
    }

    public enum Outcome: Sendable, Equatable {
        case credited(receipt: String)
        case failed
        case reversed
        /// Delivered before: nothing more happened.
        case duplicate
        /// Stored, but the payment was past the state the event moves it from.
        case noChange
    }

    public func run(body: [UInt8], signature: String?) async throws -> Outcome {
        let now = database.clock.now
        let event = try gateway.verifyCallback(body: body, signature: signature, at: now)
        // Signed, but still checked: what cannot be stored is refused, not half-stored.
        guard (1...200).contains(event.id.unicodeScalars.count), !event.id.unicodeScalars.contains("\0"),
            (1...200).contains(event.checkout.unicodeScalars.count), !event.checkout.unicodeScalars.contains("\0"),
            event.amount > 0, event.amount <= 1_000_000_000_000_000
        else { throw CallbackRefused.unreadable }
        guard event.currency == settings.currency.code else { throw CallbackRefused.wrongCurrency(event.currency) }
        let today = CalendarDay.current(database.clock)
        let settings = self.settings
        let prepaid = self.prepaid
        let gatewayName = gateway.name
        return try await database.transaction { connection in
            guard
                let row = try connection.query(
                    """
                    SELECT \(Payment.columns) FROM \(Payment.source)
                    WHERE p.gateway = \(gatewayName) AND p.checkout_id = \(event.checkout) FOR UPDATE OF p
                    """
                ).rows.first
            else { throw CallbackRefused.unknownCheckout(event.checkout) }
            let payment = try Payment(row: row)
            // The payment's row is locked first, so two deliveries of one event queue here and the
            // second finds the event stored.
            let stored = try connection.query(
                """
                INSERT INTO payment_events (gateway, event_id, type, payment_id, received_at, body)
                VALUES (\(gatewayName), \(event.id), \(event.type.rawValue), \(payment.id), \(now),
                        \(String(decoding: body, as: UTF8.self).replacing("\0", with: "")))
                ON CONFLICT DO NOTHING RETURNING event_id
                """
            ).rows
            guard !stored.isEmpty else { return .duplicate }
            switch (event.type, payment.status) {
            case (.succeeded, .pending), (.succeeded, .failed):
                // What the gateway took counts, not what the consumer asked for.
                let amount = Money(minorUnits: event.amount)
                // A chargeback that overtook the success: credited and taken back, as the bank did.
                let reversal = try connection.query(
                    """
                    SELECT body FROM payment_events WHERE payment_id = \(payment.id) AND type = \(GatewayEvent.Kind.reversed.rawValue) LIMIT 1
                    """
                ).rows.first
                // A purchase of prepaid credit settles no bill: it buys a token (unless taken back already).
                let buysToken = payment.meterID != nil && reversal == nil
                let receipt = try PaymentLedger.credit(
                    payment, amount: amount, settings: settings, on: connection, now: now, today: today, notify: !buysToken,
                    allocate: payment.meterID == nil)
                if buysToken, let meterID = payment.meterID {
                    try prepaid.complete(payment, meterID: meterID, amount: amount, receipt: receipt, settings: settings, on: connection, now: now)
                }
                if let reversal {
                    let reason = (try? JSONDecoder().decode(GatewayEvent.self, from: Data(try reversal.decode("body", as: String.self).utf8)))?.reason
                    try PaymentLedger.reverse(
                        try Payment.find(payment.id, on: connection), reason: reason, settings: settings, on: connection, now: now)
                    return .reversed
                }
                return .credited(receipt: receipt)
            case (.failed, .pending):
                try connection.execute(
                    "UPDATE payments SET status = 'failed', failure = \(PaymentLedger.note(event.reason) ?? "Declined by the card issuer.") WHERE id = \(payment.id)"
                )
                return .failed
            case (.reversed, .succeeded):
                try PaymentLedger.reverse(payment, reason: event.reason, settings: settings, on: connection, now: now)
                if payment.meterID != nil { try PrepaidSale.reverse(payment, on: connection, now: now) }
                return .reversed
            default:
                return .noChange
            }
        }
    }
}
