import Foundation
import Platform

/// The built-in gateway for development and tests (BL-5). Its hosted page is served by Meterline
/// itself (`SandboxCheckouts` holds what that page does); it calls the webhook back over HTTP,
/// signed, exactly as a real gateway does (`SandboxWebhooks`).
public struct SandboxGateway: PaymentGateway {
    public let name = "sandbox"
    let database: Database
    let signature: WebhookSignature
    /// The hosted page of a checkout, from the web's route table.
    let pageURL: @Sendable (String) -> String

    public init(database: Database, secret: [UInt8], pageURL: @escaping @Sendable (String) -> String) {
        self.database = database
        self.signature = WebhookSignature(secret: secret)
        self.pageURL = pageURL
    }

    public func createCheckout(_ request: CheckoutRequest) async throws -> Checkout {
        let id = "chk_" + SecureRandom.token(byteCount: 18)
        try await database.query(
            """
            INSERT INTO sandbox_checkouts (id, amount, currency, description, return_url, webhook_url, status, created_at)
            VALUES (\(id), \(request.amount.minorUnits), \(request.currency.code), \(request.description), \(request.returnURL),
                    \(request.webhookURL), 'open', \(database.clock.now))
            """)
        return Checkout(id: id, url: pageURL(id))
    }

    public func verifyCallback(body: [UInt8], signature header: String?, at now: Date) throws -> GatewayEvent {
        try signature.verify(body: body, header: header, at: now)
        guard let event = try? JSONDecoder().decode(GatewayEvent.self, from: Data(body)) else { throw CallbackRefused.unreadable }
        return event
    }

    public func lookUp(checkoutID: String) async throws -> CheckoutStatus {
        guard
            let status = try await database.query("SELECT status FROM sandbox_checkouts WHERE id = \(checkoutID)").rows.first?.decode(
                "status", as: String.self)
        else { throw NotFound("checkout") }
        return CheckoutStatus(rawValue: status) ?? .open
    }
}
