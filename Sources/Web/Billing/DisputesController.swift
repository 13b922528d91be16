import Billing
import Foundation
import Hummingbird
import Platform

/// /finance/disputes (BL-7): the queue of disputed bills, oldest first; each opens with the
/// bill, the consumer's reason and reading against the billed one, and the account's readings;
/// finance rejects with a reason or resolves with a credit note (and a new bill).
public struct DisputesController: Sendable {
    let database: Database
    let decide: DecideDispute
    let renderer: PageRenderer
    let currency: Currency
    let routes = Routes.site

    public init(services: AppServices) {
        database = services.database
        decide = DecideDispute(database: services.database, settings: services.config.billing)
        renderer = services.renderer
        currency = services.config.billing.currency
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.disputes, use: index)
        site.get(routes.dispute, use: show)
        site.post(routes.disputeReject, use: reject)
        site.post(routes.disputeResolve, use: resolve)
    }

    @Sendable func index(_ request: Request, context: StaffContext) async throws -> Response {
        let queue = try await Dispute.queue(in: database).map { dispute in
            DisputesIndex.Row(
                link: routes.dispute.url(String(dispute.id)), bill: dispute.billNumber, month: dispute.billPeriod.name,
                account: dispute.accountNumber, holder: dispute.holderName, total: currency.format(dispute.billTotal), opened: dispute.openedText,
                reason: String(dispute.reason.prefix(120)))
        }
        return try renderer.response(
            DisputesIndex(chrome: context.chrome, rows: queue, hasRows: !queue.isEmpty, notice: try await context.sessionHandle.takeFlash()))
    }

    @Sendable func show(_ request: Request, context: StaffContext) async throws -> Response {
        try await page(context)
    }

    struct DecisionInput: Decodable {
        var reason: String?
        var rebill: String?
    }

    @Sendable func reject(_ request: Request, context: StaffContext) async throws -> Response {
        let input = try await request.decode(as: DecisionInput.self, context: context)
        let id = try Self.id(context)
        do {
            let dispute = try await decide.reject(id, reason: input.reason ?? "", by: context.member.id, clientAddress: context.clientAddress)
            try await context.sessionHandle.flash("Dispute of bill \(dispute.billNumber) not upheld; the consumer is told why.")
            return .redirect(to: routes.disputes.url(), type: .normal)
        } catch let refused as DecideDispute.Refused {
            return try await page(context, rejectReason: FormField(input.reason, error: refused.description), status: .unprocessableContent)
        }
    }

    @Sendable func resolve(_ request: Request, context: StaffContext) async throws -> Response {
        let input = try await request.decode(as: DecisionInput.self, context: context)
        let id = try Self.id(context)
        do {
            let dispute = try await decide.resolve(
                id, reason: input.reason ?? "", rebill: input.rebill != nil, by: context.member.id, clientAddress: context.clientAddress)
            try await context.sessionHandle.flash(
                "Dispute of bill \(dispute.billNumber) upheld: credit note \(dispute.creditNote ?? "")"
                    + (dispute.replacementBill.map { ", new bill \($0)" } ?? "") + ". The consumer is told.")
            return .redirect(to: routes.disputes.url(), type: .normal)
        } catch let refused as DecideDispute.Refused {
            return try await page(
                context, resolveReason: FormField(input.reason, error: refused.description), rebill: input.rebill != nil,
                status: .unprocessableContent)
        } catch let refused as IssueCreditNote.Refused {
            return try await page(
                context, resolveReason: FormField(input.reason, error: refused.description), rebill: input.rebill != nil,
                status: .unprocessableContent)
        }
    }

    static func id(_ context: StaffContext) throws -> Int64 {
        guard let id = context.parameters.get("dispute").flatMap(Int64.init) else { throw NotFound("dispute") }
        return id
    }

    private func page(
        _ context: StaffContext, rejectReason: FormField = FormField(), resolveReason: FormField = FormField(), rebill: Bool = false,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let dispute = try await Dispute.find(try Self.id(context), in: database)
        // The account's latest readings, to set the consumer's against.
        let readings = try await database.query(
            """
            SELECT r.read_on::text AS day, r.value, r.kind FROM current_readings r JOIN accounts a ON a.id = r.account_id
            WHERE a.account_number = \(dispute.accountNumber) ORDER BY r.read_on DESC LIMIT 8
            """
        ).rows.map { DisputeShow.Reading(day: BillShow.day(try $0.decode("day")), value: try $0.decode("value"), kind: try $0.decode("kind")) }
        return try renderer.response(
            DisputeShow(
                chrome: context.chrome, dispute: dispute, currency: currency, billLink: routes.financeBill.url(dispute.billNumber),
                readings: readings,
                rejectAction: routes.disputeReject.url(String(dispute.id)), resolveAction: routes.disputeResolve.url(String(dispute.id)),
                rejectReason: rejectReason, resolveReason: resolveReason, rebill: rebill),
            status: status)
    }
}

/// The model of `billing/disputes.mustache`.
struct DisputesIndex: Page {
    static let template = "billing/disputes"
    let chrome: Chrome
    let title = "Disputed bills"
    let rows: [Row]
    let hasRows: Bool
    let notice: String?

    struct Row: Encodable, Sendable {
        let link: String
        let bill: String
        let month: String
        let account: String
        let holder: String
        let total: String
        let opened: String
        let reason: String
    }
}

/// The model of `billing/dispute.mustache`.
struct DisputeShow: Page {
    static let template = "billing/dispute"
    let chrome: Chrome
    let title: String
    let bill: String
    let month: String
    let account: String
    let holder: String
    let total: String
    let opened: String
    let reason: String
    let reportedReading: String?
    let billedReading: String
    let open: Bool
    let outcome: String?
    let billLink: String
    let readings: [Reading]
    let rejectAction: String
    let resolveAction: String
    let rejectReason: FormField
    let resolveReason: FormField
    let rebill: Bool

    struct Reading: Encodable, Sendable {
        let day: String
        let value: Int64
        let kind: String
    }

    init(
        chrome: Chrome, dispute: Dispute, currency: Currency, billLink: String, readings: [Reading], rejectAction: String, resolveAction: String,
        rejectReason: FormField, resolveReason: FormField, rebill: Bool
    ) {
        self.chrome = chrome
        title = "Dispute of bill \(dispute.billNumber)"
        bill = dispute.billNumber
        month = dispute.billPeriod.name
        account = dispute.accountNumber
        holder = dispute.holderName
        total = currency.format(dispute.billTotal)
        opened = dispute.openedText
        reason = dispute.reason
        reportedReading = dispute.reportedReading.map { reading in
            let difference = reading - dispute.billedClosing
            return
                "\(reading) (the bill used \(dispute.billedClosing) on \(BillShow.day(dispute.billedClosingOn)), \(difference >= 0 ? "\(difference) more" : "\(-difference) less"))"
        }
        billedReading =
            "\(dispute.billedClosing) on \(BillShow.day(dispute.billedClosingOn))\(dispute.billEstimated ? ", estimated" : "")"
        open = dispute.status == .open
        outcome =
            switch dispute.status {
            case .open: nil
            case .rejected: "Not upheld on \(dispute.decidedText ?? ""): \(dispute.decision ?? "")"
            case .resolved: "Upheld on \(dispute.decidedText ?? ""): credit note \(dispute.creditNote ?? ""). \(dispute.decision ?? "")"
            }
        self.billLink = billLink
        self.readings = readings
        self.rejectAction = rejectAction
        self.resolveAction = resolveAction
        self.rejectReason = rejectReason
        self.resolveReason = resolveReason
        self.rebill = rebill
    }
}
