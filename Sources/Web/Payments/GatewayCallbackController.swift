import Foundation
import Hummingbird
import Payments
import Platform
import Prepaid

/// POST /payments/webhook (BL-5): the gateway's signed callback. A bad or missing signature, or a
/// timestamp older than five minutes, is 401 and stores nothing; an event that cannot be used is
/// 400 (the gateway retries, and support sees it in the log); a stored event, new or repeated, 200.
public struct GatewayCallbackController: Sendable {
    let receive: ReceivePaymentEvent
    let routes = Routes.site

    public init(services: AppServices, gateway: any PaymentGateway) {
        receive = ReceivePaymentEvent(
            database: services.database, gateway: gateway, settings: services.config.payments,
            prepaid: PrepaidSale(issue: IssueCreditToken(box: services.vendingKeys, settings: services.config.prepaid)))
    }

    public func addRoutes(to site: SiteRouter) {
        site.post(routes.paymentWebhook, use: callback)
    }

    @Sendable func callback(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        do {
            let outcome = try await receive.run(
                body: Array(body.readableBytesView), signature: request.headers[.init(WebhookSignature.header)!])
            context.logger.info("payment callback", metadata: ["outcome": "\(outcome)"])
            return ProblemResponse.json(.ok, Data(#"{"received":true}"#.utf8))
        } catch let refused as CallbackRefused {
            context.logger.notice("payment callback refused", metadata: ["reason": "\(refused)"])
            let status: HTTPResponse.Status =
                switch refused {
                case .noSignature, .badSignature, .stale: .unauthorized
                case .unreadable, .unknownCheckout, .wrongCurrency: .badRequest
                }
            return ProblemResponse.make(status, refused.description)
        }
    }
}
