import Accounts
import Billing
import Hummingbird
import Platform

/// /account/bills/:bill (BL-3): one bill, explained line by line, for the consumer who owns or
/// rents the premise (a tenant: only bills of their lease's months). Any other bill is a 404.
public struct BillController: Sendable {
    let database: Database
    let premises: PremiseAccess
    let bills: AccountBills
    let renderer: PageRenderer
    let currency: Currency
    let routes = Routes.site

    public init(services: AppServices) {
        database = services.database
        premises = PremiseAccess(database: services.database)
        bills = AccountBills(database: services.database)
        renderer = services.renderer
        currency = services.config.billing.currency
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.bill, use: show)
        site.post(routes.billDispute, use: dispute)
    }

    @Sendable func show(_ request: Request, context: ConsumerContext) async throws -> Response {
        try await page(context, notice: try await context.sessionHandle.takeFlash())
    }

    struct DisputeInput: Decodable {
        var reason: String?
        var reading: String?
    }

    /// BL-7: the owner disputes the bill; a tenant's or a stranger's attempt is a 404.
    @Sendable func dispute(_ request: Request, context: ConsumerContext) async throws -> Response {
        let input = try await request.decode(as: DisputeInput.self, context: context)
        let number = context.parameters.get("bill") ?? ""
        let grants = try await premises.premises(of: context.consumer.id)
        let (_, grant) = try await bills.detail(number: number, grants: grants)
        guard grant.isOwner else { throw NotFound("bill") }
        do {
            _ = try await OpenDispute(database: database).run(
                billNumber: number, accountID: grant.accountID, reason: input.reason ?? "", reading: input.reading ?? "", by: context.consumer.id,
                clientAddress: context.clientAddress)
            try await context.sessionHandle.flash("Your dispute is with finance. No late fee is charged on this bill while they look into it.")
            return .redirect(to: routes.bill.url(number), type: .normal)
        } catch let invalid as OpenDispute.Invalid {
            return try await page(
                context,
                form: .init(reason: FormField(input.reason, error: invalid.reason), reading: FormField(input.reading, error: invalid.reading)),
                status: .unprocessableContent)
        } catch let refused as OpenDispute.Refused {
            return try await page(context, notice: refused.description, status: .conflict)
        }
    }

    struct DisputeFields {
        var reason = FormField()
        var reading = FormField()
    }

    private func page(
        _ context: ConsumerContext, notice: String? = nil, form: DisputeFields = .init(), status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let grants = try await premises.premises(of: context.consumer.id)
        let number = context.parameters.get("bill") ?? ""
        let (bill, grant) = try await bills.detail(number: number, grants: grants)
        var page = BillShow(
            bill: bill, currency: currency, back: (routes.premise.url(grant.accountNumber), bill.supplyAddress), chrome: context.chrome)
        page.notice = notice
        // A dispute is the owner's business: a tenant sees the bill, not the owner's dispute of it.
        let disputes = grant.isOwner ? try await Dispute.of(billNumber: bill.summary.number, in: database) : []
        page.showDisputes(disputes, currency: currency)
        if grant.isOwner, bill.summary.creditNote == nil, !disputes.contains(where: { $0.status == .open }) {
            page.disputeForm = .init(action: routes.billDispute.url(bill.summary.number), reason: form.reason, reading: form.reading)
        }
        return try renderer.response(page, status: status)
    }
}

/// The model of `billing/bill.mustache`: a bill a consumer can follow, line by line.
struct BillShow: Page {
    static let template = "billing/bill"
    let chrome: Chrome
    let title: String
    let number: String
    let month: String
    /// "Your bill for October 2026"; finance reads "Bill for October 2026".
    var heading: String
    let accountNumber: String
    let supplyAddress: String
    let holderName: String
    let issuedOn: String
    let dueOn: String
    /// Where "←" leads: the premise for a consumer, the bill finder for finance.
    let backLink: String
    let backLabel: String
    /// Finance's form to cancel the bill with a credit note; nil for consumers and credited bills.
    var creditForm: CreditForm?
    var notice: String?
    /// BL-7: the owner's form to dispute the bill, and every dispute of it with what became of it.
    var disputeForm: DisputeForm?
    private(set) var disputes: [DisputeStep] = []
    private(set) var hasDisputes = false

    struct DisputeForm: Encodable, Sendable {
        let action: String
        let reason: FormField
        let reading: FormField
    }

    struct DisputeStep: Encodable, Sendable {
        let opened: String
        let reason: String
        let reportedReading: String?
        let open: Bool
        let outcome: String
    }

    mutating func showDisputes(_ list: [Dispute], currency: Currency) {
        disputes = list.map { dispute in
            let outcome: String =
                switch dispute.status {
                case .open: "Finance is looking into it. No late fee is charged on this bill meanwhile."
                case .rejected: "Not upheld on \(dispute.decidedText ?? ""): \(dispute.decision ?? "")"
                case .resolved:
                    "Upheld on \(dispute.decidedText ?? ""): credit note \(dispute.creditNote ?? "") cancels this bill"
                        + (dispute.replacementBill.map { ", and bill \($0) replaces it" } ?? "") + ". \(dispute.decision ?? "")"
                }
            return DisputeStep(
                opened: dispute.openedText, reason: dispute.reason, reportedReading: dispute.reportedReading.map(String.init),
                open: dispute.status == .open, outcome: outcome)
        }
        hasDisputes = !disputes.isEmpty
    }

    struct CreditForm: Encodable, Sendable {
        let action: String
        let reason: FormField
        let rebill: Bool
        let rebillError: String?
    }

    /// Set on a corrected bill: the bill it replaces, and why.
    let replaces: String?
    let opening: String?
    let closing: String
    let estimated: Bool
    let units: Int64
    let trueUp: String?
    let writtenOff: String?
    /// Set when a credit note cancelled the bill.
    let credited: String?
    let parts: [Part]
    let total: String
    /// The owner's balance and what is due with this bill; a tenant sees the bill's charges only.
    let balanceBefore: String?
    /// What the balance before includes since the last bill, such as a ticket's compensation.
    let adjustments: [Line]
    let amountDue: String?
    let inCredit: Bool
    let changes: [String]

    struct Part: Encodable, Sendable {
        let tariff: String
        let lines: [Line]
    }

    struct Line: Encodable, Sendable {
        let label: String
        let arithmetic: String
        let amount: String
    }

    init(bill: AccountBills.Detail, currency: Currency, back: (link: String, label: String), chrome: Chrome) {
        let summary = bill.summary
        self.chrome = chrome
        title = "Bill \(summary.number)"
        number = summary.number
        month = summary.period.name
        heading = "Your bill for \(summary.period.name)"
        accountNumber = bill.accountNumber
        supplyAddress = bill.supplyAddress
        holderName = bill.holderName
        issuedOn = Self.day(bill.issuedOn)
        dueOn = Self.day(summary.dueOn)
        (backLink, backLabel) = back
        opening = bill.openingOn.map { day in "\(bill.openingValue.map(String.init) ?? "—") on \(Self.day(day))" }
        closing = "\(bill.closingValue) on \(Self.day(bill.closingOn))"
        estimated = summary.estimated
        units = summary.units
        trueUp = bill.trueUpUnits.map {
            "Earlier bills estimated \($0) units. Your meter has now been read, so this bill charges what you actually used since the last reading, less those \($0) units."
        }
        replaces = bill.replaces.map { replaced in
            "This bill replaces bill \(replaced.number), which credit note \(replaced.creditNote) cancelled. Reason: \(replaced.reason)"
        }
        credited = summary.creditNote.map { note in
            "This bill is cancelled: credit note \(note), issued on \(Self.day(bill.creditedOn ?? "")), took its \(currency.format(summary.total)) off your balance. Reason: \(bill.creditReason ?? "")"
        }
        writtenOff = bill.writtenOffUnits.map { units in
            "Your meter had not been read for a long time. You are charged only for use from \(Self.day(bill.billableFrom ?? "")) on: the \(units) units before that, which earlier bills did not charge, are written off. The law limits back-billing to the months just before a bill."
        }
        parts = bill.versions.map { version in
            Part(
                tariff: "\(version.name) tariff in force from \(Self.day(version.effectiveFrom))",
                lines: bill.lines.filter { $0.part == version.part }.map {
                    Line(label: $0.label, arithmetic: $0.arithmetic(in: currency), amount: currency.format($0.amount))
                })
        }
        total = currency.format(summary.total)
        balanceBefore = bill.balanceBefore.map(currency.format)
        adjustments = bill.adjustments.map { Line(label: $0.note, arithmetic: "", amount: currency.format($0.amount)) }
        let due = bill.balanceBefore.map { $0 + summary.total }
        // What was due at issue means nothing once a credit note has cancelled the bill.
        amountDue = summary.creditNote == nil ? due.map(currency.format) : nil
        inCredit = due?.isNegative ?? false
        var changes: [String] = []
        if let previous = bill.previous {
            let difference = summary.units - previous.units
            let word = difference > 0 ? "more" : "less"
            changes.append(
                difference == 0
                    ? "You used the same as in \(previous.period.name) (\(previous.units) units)."
                    : "You used \(abs(difference)) units \(word) than in \(previous.period.name) (\(summary.units) against \(previous.units)); the bill is \(currency.format(summary.total - previous.total).replacingOccurrences(of: "−", with: "")) \(summary.total >= previous.total ? "more" : "less")."
            )
        }
        if let yearBefore = bill.yearBefore {
            changes.append("In \(yearBefore.period.name) you used \(yearBefore.units) units and the bill was \(currency.format(yearBefore.total)).")
        }
        if let similar = bill.similar {
            let comparison =
                summary.units == similar.medianUnits
                ? "the same as" : summary.units > similar.medianUnits ? "more than" : "less than"
            changes.append(
                "Similar \(similar.category) premises in \(similar.area) used \(similar.medianUnits) units in \(summary.period.name) (the middle of \(similar.premises) read meters): you used \(comparison) them."
            )
        }
        if bill.versions.count > 1 {
            changes.append("The tariff changed during the month: each part of the month is charged at its own tariff, with the use shared by days.")
        }
        self.changes = changes
    }

    /// "2026-11-21" → "21 November 2026".
    static func day(_ text: String) -> String {
        guard let day = CalendarDay(text), let period = BillingPeriod(year: day.year, month: day.month) else { return text }
        return "\(day.day) \(period.name)"
    }
}
