import Foundation
import Hummingbird
import Payments
import Platform

/// /sandbox-gateway/:checkout: the sandbox payment gateway's hosted page (development and tests).
/// It stands where a real gateway's page would: it takes a test card and tells Meterline only
/// through the signed webhook, then sends the browser back.
public struct SandboxGatewayController: Sendable {
    let checkouts: SandboxCheckouts
    let webhooks: SandboxWebhooks
    let renderer: PageRenderer
    let currency: Currency
    let routes = Routes.site

    public init(services: AppServices, webhooks: SandboxWebhooks) {
        checkouts = SandboxCheckouts(database: services.database)
        self.webhooks = webhooks
        renderer = services.renderer
        currency = services.config.billing.currency
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.sandboxCheckout, use: show)
        site.post(routes.sandboxCheckout, use: pay)
        site.post(routes.sandboxChargeback, use: chargeBack)
        site.get(routes.sandboxSettlement, use: settlement)
    }

    @Sendable func settlement(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response.csv(try await checkouts.settlement(currency: currency), filename: "sandbox-settlement.csv")
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await page(context)
    }

    struct PayInput: Decodable { var card: String? }

    @Sendable func pay(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("checkout") ?? ""
        let card = try await request.decode(as: PayInput.self, context: context).card ?? ""
        do {
            _ = try await checkouts.pay(id, card: card)
        } catch let refused as SandboxCheckouts.Refused {
            return try await page(context, card: FormField(String(card.prefix(30)), error: refused.description), status: .unprocessableContent)
        }
        // Sent at once rather than at the sender's next look; either way only the webhook counts.
        try? await webhooks.deliverDue()
        return .redirect(to: try await checkouts.details(id).returnURL, type: .normal)
    }

    @Sendable func chargeBack(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("checkout") ?? ""
        do {
            try await checkouts.chargeBack(id)
        } catch let refused as SandboxCheckouts.Refused {
            return try await page(context, notice: refused.description, status: .conflict)
        }
        try? await webhooks.deliverDue()
        return try await page(context, notice: "Charged back. The gateway has told Meterline.")
    }

    private func page(
        _ context: AppRequestContext, card: FormField = FormField(), notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let checkout = try await checkouts.details(context.parameters.get("checkout") ?? "")
        return try renderer.response(
            SandboxCheckoutPage(
                chrome: Chrome(csrfToken: try await context.requireSession().csrfToken()), amount: currency.format(checkout.amount),
                description: checkout.description,
                open: checkout.status == .open, paid: checkout.status == .succeeded,
                status: checkout.status.rawValue, cardLast4: checkout.cardLast4, card: card, notice: notice,
                action: routes.sandboxCheckout.url(checkout.id), chargebackAction: routes.sandboxChargeback.url(checkout.id),
                returnURL: checkout.returnURL),
            status: status)
    }
}

/// The model of `payments/sandbox-checkout.mustache`.
struct SandboxCheckoutPage: Page {
    static let template = "payments/sandbox-checkout"
    let chrome: Chrome
    let title = "Sandbox payment"
    let amount: String
    let description: String
    let open: Bool
    let paid: Bool
    let status: String
    let cardLast4: String?
    let card: FormField
    let notice: String?
    let action: String
    let chargebackAction: String
    let returnURL: String
    let testCards = [
        TestCard(number: "4242 4242 4242 4242", outcome: "succeeds"),
        TestCard(number: "4000 0000 0000 0002", outcome: "is declined"),
        TestCard(number: "4000 0000 0000 0077", outcome: "stays pending, and succeeds two minutes later"),
    ]

    struct TestCard: Encodable, Sendable {
        let number: String
        let outcome: String
    }
}
