import Accounts
import Foundation
import Hummingbird
import Platform
import Tickets

/// TK-1 … TK-3, the consumer's side: raise a ticket about a premise they may see, follow its
/// history, answer, reopen it within the window after it is resolved, and rate it once closed.
/// Another consumer's ticket is as absent as a made-up number.
public struct AccountTicketsController: Sendable {
    let database: Database
    let premises: PremiseAccess
    let settings: TicketSettings
    let renderer: PageRenderer
    let routes = Routes.site

    public init(services: AppServices) {
        database = services.database
        premises = PremiseAccess(database: services.database)
        settings = services.config.tickets
        renderer = services.renderer
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.accountTickets, use: index)
        site.post(routes.accountTickets, use: raise)
        site.get(routes.accountTicket, use: show)
        site.post(routes.accountTicketComment, use: comment)
        site.post(routes.accountTicketReopen, use: reopen)
        site.post(routes.accountTicketRating, use: rate)
    }

    @Sendable func index(_ request: Request, context: ConsumerContext) async throws -> Response {
        let query = QueryForm(request)
        var form = TicketsIndex.Form()
        if let bill = query["bill"] { form.about = "bill:\(bill)" }
        return try await indexPage(context, form: form)
    }

    struct RaiseInput: Decodable {
        var premise: String?
        var category: String?
        var subject: String?
        var details: String?
        var about: String?
    }

    @Sendable func raise(_ request: Request, context: ConsumerContext) async throws -> Response {
        let input = try await request.decode(as: RaiseInput.self, context: context)
        var form = TicketsIndex.Form(
            premise: input.premise ?? "", category: input.category ?? "", subject: FormField(input.subject), details: FormField(input.details),
            about: input.about ?? "")
        let grants = try await raisable(premises.premises(of: context.consumer.id))
        guard let grant = grants.first(where: { $0.accountNumber == input.premise }) ?? (grants.count == 1 ? grants.first : nil) else {
            form.premiseError = grants.isEmpty ? "You have no premise to raise a ticket about." : "Choose the premise it is about."
            return try await indexPage(context, form: form, status: .unprocessableContent)
        }
        let about: RaiseTicket.About =
            switch input.about ?? "" {
            case "meter": .meter
            // Bills are the owner's to link (a tenant's premise page shows only some of them).
            case let value where value.hasPrefix("bill:") && grant.isOwner: .bill(String(value.dropFirst(5)))
            case let value where value.hasPrefix("bill:"): .bill("")
            default: .nothing
            }
        do {
            let raised = try await RaiseTicket(database: database, settings: settings).run(
                accountID: grant.accountID, category: input.category ?? "", subject: input.subject ?? "", details: input.details ?? "",
                about: about, consumerID: context.consumer.id, openedBy: context.consumer.id)
            try await context.sessionHandle.flash(
                "Ticket \(raised.number) raised. We aim to resolve it within \(raised.targetDays) day\(raised.targetDays == 1 ? "" : "s"), and tell you of every change."
            )
            return .redirect(to: routes.accountTicket.url(raised.number), type: .normal)
        } catch let invalid as RaiseTicket.Invalid {
            form.categoryError = invalid.category
            form.subject.error = invalid.subject
            form.details.error = invalid.details
            form.aboutError = invalid.about
            return try await indexPage(context, form: form, status: .unprocessableContent)
        }
    }

    @Sendable func show(_ request: Request, context: ConsumerContext) async throws -> Response {
        try await ticketPage(context)
    }

    struct TextInput: Decodable {
        var comment: String?
        var reason: String?
        var rating: String?
    }

    @Sendable func comment(_ request: Request, context: ConsumerContext) async throws -> Response {
        let input = try await request.decode(as: TextInput.self, context: context)
        let number = try Self.number(context)
        do {
            try await CommentOnTicket(database: database).run(number, comment: input.comment ?? "", consumer: context.consumer.id)
            try await context.sessionHandle.flash("Sent. Support will answer here.")
            return .redirect(to: routes.accountTicket.url(number), type: .normal)
        } catch let invalid as CommentOnTicket.Invalid {
            return try await ticketPage(context, comment: FormField(input.comment, error: invalid.comment), status: .unprocessableContent)
        } catch let refused as TicketRefusal {
            return try await ticketPage(context, comment: FormField(input.comment, error: refused.description), status: .unprocessableContent)
        }
    }

    @Sendable func reopen(_ request: Request, context: ConsumerContext) async throws -> Response {
        let input = try await request.decode(as: TextInput.self, context: context)
        let number = try Self.number(context)
        do {
            try await ReopenTicket(database: database, settings: settings).run(number, reason: input.reason ?? "", consumer: context.consumer.id)
            try await context.sessionHandle.flash("Ticket \(number) is open again; support will pick it up.")
            return .redirect(to: routes.accountTicket.url(number), type: .normal)
        } catch let invalid as ReopenTicket.Invalid {
            return try await ticketPage(context, reopen: FormField(input.reason, error: invalid.reason), status: .unprocessableContent)
        } catch let refused as TicketRefusal {
            return try await ticketPage(context, reopen: FormField(input.reason, error: refused.description), status: .unprocessableContent)
        }
    }

    @Sendable func rate(_ request: Request, context: ConsumerContext) async throws -> Response {
        let input = try await request.decode(as: TextInput.self, context: context)
        let number = try Self.number(context)
        do {
            try await RateTicket(database: database).run(number, rating: input.rating ?? "", consumer: context.consumer.id)
            try await context.sessionHandle.flash("Thank you for rating it.")
            return .redirect(to: routes.accountTicket.url(number), type: .normal)
        } catch let invalid as RateTicket.Invalid {
            return try await ticketPage(context, ratingError: invalid.description, status: .unprocessableContent)
        } catch let refused as TicketRefusal {
            return try await ticketPage(context, ratingError: refused.description, status: .unprocessableContent)
        }
    }

    static func number(_ context: some RequestContext) throws -> String {
        guard let number = context.parameters.get("ticket"), number.count <= 20 else { throw NotFound("ticket") }
        return number
    }

    /// The premises a consumer may raise a ticket about: the one they own, and those they rent now.
    func raisable(_ grants: [PremiseAccess.Grant]) -> [PremiseAccess.Grant] {
        let today = CalendarDay.today(database.clock)
        return grants.filter { grant in grant.isOwner || grant.to.map { $0 >= today } ?? true }
    }

    private func indexPage(_ context: ConsumerContext, form: TicketsIndex.Form, status: HTTPResponse.Status = .ok) async throws -> Response {
        let grants = try await raisable(premises.premises(of: context.consumer.id))
        let owned = grants.filter(\.isOwner).map(\.accountID)
        let bills = try await database.query(
            """
            SELECT b.number, to_char(b.period, 'FMMonth YYYY') AS month FROM bills b
            WHERE b.account_id = ANY (\(owned)::bigint[]) AND b.number IS NOT NULL ORDER BY b.period DESC, b.id DESC LIMIT 12
            """
        ).rows.map {
            TicketsIndex.Option(
                value: "bill:\(try $0.decode("number", as: String.self))",
                label: "Bill \(try $0.decode("number", as: String.self)), \(try $0.decode("month", as: String.self))", selected: false)
        }
        let tickets = try await Ticket.of(consumer: context.consumer.id, in: database).map {
            TicketsIndex.Row(
                link: routes.accountTicket.url($0.number), number: $0.number, subject: $0.subject, category: $0.category.title,
                status: $0.status.consumerTitle, opened: $0.openedText, premise: $0.supplyAddress)
        }
        return try renderer.response(
            TicketsIndex(
                chrome: context.chrome, notice: try await context.sessionHandle.takeFlash(), tickets: tickets, form: form, premises: grants,
                bills: bills, action: routes.accountTickets.url()),
            status: status)
    }

    private func ticketPage(
        _ context: ConsumerContext, comment: FormField = FormField(), reopen: FormField = FormField(), ratingError: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let ticket = try await Ticket.find(try Self.number(context), consumer: context.consumer.id, in: database)
        let history = try await TicketHistory.of(ticketID: ticket.id, in: database)
        let now = database.clock.now
        return try renderer.response(
            TicketShow(
                chrome: context.chrome, ticket: ticket, history: history, now: now, settings: settings, staffView: false,
                notice: try await context.sessionHandle.takeFlash(),
                back: (routes.accountTickets.url(), "Your tickets"),
                billLink: ticket.billNumber.map { routes.bill.url($0) },
                consumer: TicketShow.ConsumerForms(
                    commentAction: routes.accountTicketComment.url(ticket.number), comment: comment,
                    canComment: [.open, .inProgress, .waiting].contains(ticket.status),
                    reopenAction: routes.accountTicketReopen.url(ticket.number), reopen: reopen,
                    canReopen: ticket.reopenable(now: now, settings: settings),
                    ratingAction: routes.accountTicketRating.url(ticket.number), ratingError: ratingError,
                    canRate: ticket.status == .closed && ticket.mergedInto == nil && ticket.rating == nil)),
            status: status)
    }
}
