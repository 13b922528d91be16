import Accounts
import Foundation
import Hummingbird
import Platform
import Tickets

/// /support/tickets (TK-2, TK-3): support's queue with filters, time waited and time left, and
/// each ticket's page: answer (typed or ready-made) and move it on, assign it, merge a duplicate.
/// Staff also open tickets from abnormal-use alerts (MT-6).
public struct SupportTicketsController: Sendable {
    let database: Database
    let settings: TicketSettings
    let renderer: PageRenderer
    let routes = Routes.site

    public init(services: AppServices) {
        database = services.database
        settings = services.config.tickets
        renderer = services.renderer
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.tickets, use: queue)
        site.get(routes.ticket, use: show)
        site.post(routes.ticketAnswer, use: answer)
        site.post(routes.ticketAssign, use: assign)
        site.post(routes.ticketMerge, use: merge)
        site.post(routes.ticketFromAlert, use: fromAlert)
    }

    @Sendable func queue(_ request: Request, context: StaffContext) async throws -> Response {
        let query = QueryForm(request)
        let filter = TicketQueue.Filter(
            status: query["status"] ?? "working", category: query["category"] ?? "", area: String((query["area"] ?? "").prefix(60)),
            assignee: query["assignee"] ?? "", olderThanDays: Int(query["age"] ?? "").map { max(0, min($0, 3650)) } ?? 0,
            breachedOnly: query["breached"] == "yes")
        let page = try await TicketQueue(database: database).run(filter, viewer: context.member.id)
        let now = database.clock.now
        return try renderer.response(
            TicketQueuePage(
                chrome: context.chrome, notice: try await context.sessionHandle.takeFlash(), filter: filter, page: page, now: now,
                areas: try await AccountAreas.list(in: database), staff: try await TicketQueue.supportStaff(in: database),
                link: { routes.ticket.url($0) }))
    }

    @Sendable func show(_ request: Request, context: StaffContext) async throws -> Response {
        try await page(context)
    }

    struct AnswerInput: Decodable {
        var answer: String?
        var canned: String?
        var status: String?
    }

    @Sendable func answer(_ request: Request, context: StaffContext) async throws -> Response {
        let input = try await request.decode(as: AnswerInput.self, context: context)
        let number = try AccountTicketsController.number(context)
        var text = input.answer ?? ""
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, let canned = input.canned.flatMap(Int64.init) {
            text = try await database.query("SELECT body FROM canned_replies WHERE id = \(canned)").rows.first?.decode("body") ?? ""
        }
        do {
            try await AnswerTicket(database: database, settings: settings).run(
                number, answer: text, status: input.status ?? "", by: context.member.id)
            try await context.sessionHandle.flash("Ticket \(number) updated; the consumer is told.")
            return .redirect(to: routes.ticket.url(number), type: .normal)
        } catch let invalid as AnswerTicket.Invalid {
            return try await page(
                context, answer: FormField(input.answer, error: invalid.answer), statusError: invalid.status, status: .unprocessableContent)
        } catch let refused as TicketRefusal {
            return try await page(context, answer: FormField(input.answer), statusError: refused.description, status: .unprocessableContent)
        }
    }

    struct AssignInput: Decodable { var assignee: String? }

    @Sendable func assign(_ request: Request, context: StaffContext) async throws -> Response {
        let input = try await request.decode(as: AssignInput.self, context: context)
        let number = try AccountTicketsController.number(context)
        let assignee: Int64?
        switch input.assignee ?? "" {
        case "": assignee = nil
        case "me": assignee = context.member.id
        case let typed:
            guard let id = Int64(typed) else {
                return try await page(context, assignError: "Choose someone from the list.", status: .unprocessableContent)
            }
            assignee = id
        }
        do {
            try await AssignTicket(database: database).run(number, to: assignee, by: context.member.id)
            try await context.sessionHandle.flash(assignee == nil ? "Ticket \(number) is back with the team." : "Ticket \(number) assigned.")
            return .redirect(to: routes.ticket.url(number), type: .normal)
        } catch let refused as TicketRefusal {
            return try await page(context, assignError: refused.description, status: .unprocessableContent)
        }
    }

    struct MergeInput: Decodable { var into: String? }

    @Sendable func merge(_ request: Request, context: StaffContext) async throws -> Response {
        let input = try await request.decode(as: MergeInput.self, context: context)
        let number = try AccountTicketsController.number(context)
        do {
            try await MergeTicket(database: database).run(number, into: input.into ?? "", by: context.member.id)
            let into = (input.into ?? "").trimmingCharacters(in: .whitespaces).uppercased()
            try await context.sessionHandle.flash("\(number) merged into this ticket.")
            return .redirect(to: routes.ticket.url(into), type: .normal)
        } catch let invalid as MergeTicket.Invalid {
            return try await page(context, merge: FormField(input.into, error: invalid.description), status: .unprocessableContent)
        } catch let refused as TicketRefusal {
            return try await page(context, merge: FormField(input.into, error: refused.description), status: .unprocessableContent)
        } catch is NotFound {
            return try await page(
                context, merge: FormField(input.into, error: "There is no ticket \(String((input.into ?? "").prefix(20)))."),
                status: .unprocessableContent)
        }
    }

    /// MT-6 → TK-1: a ticket for the alert's account, about its meter, which the account's
    /// owner follows. One per alert: a second click opens the first ticket.
    @Sendable func fromAlert(_ request: Request, context: StaffContext) async throws -> Response {
        guard let alertID = context.parameters.get("alert").flatMap(Int64.init),
            let alert = try await database.query("SELECT account_id, kind, detail FROM consumption_alerts WHERE id = \(alertID)").rows.first
        else { throw NotFound("alert") }
        let kind: String = try alert.decode("kind")
        do {
            let raised = try await RaiseTicket(database: database, settings: settings).run(
                accountID: try alert.decode("account_id"), category: TicketCategory.meterFault.rawValue,
                subject: "Unusual reading: \(kind.replacingOccurrences(of: "_", with: " "))", details: try alert.decode("detail"),
                about: .fittedMeter, consumerID: nil, openedBy: context.member.id, byStaff: true, alertID: alertID)
            try await context.sessionHandle.flash("Ticket \(raised.number) opened from the alert; the account's owner follows it.")
            return .redirect(to: routes.ticket.url(raised.number), type: .normal)
        } catch RaiseTicket.Refused.alertHasTicket(let existing) {
            try await context.sessionHandle.flash("This alert has a ticket already: \(existing).")
            return .redirect(to: routes.ticket.url(existing), type: .normal)
        }
    }

    private func page(
        _ context: StaffContext, answer: FormField = FormField(), statusError: String? = nil, assignError: String? = nil,
        merge: FormField = FormField(), status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let ticket = try await Ticket.find(try AccountTicketsController.number(context), in: database)
        let history = try await TicketHistory.of(ticketID: ticket.id, in: database)
        let canned = try await database.query("SELECT id, title FROM canned_replies ORDER BY title").rows.map {
            TicketShow.StaffForms.Option(value: String(try $0.decode("id", as: Int64.self)), label: try $0.decode("title"), selected: false)
        }
        let staff = try await TicketQueue.supportStaff(in: database)
        let forms = TicketShow.StaffForms(
            answerAction: routes.ticketAnswer.url(ticket.number), answer: answer, statusError: statusError,
            steps: [TicketShow.StaffForms.Option(value: "", label: "Keep it \(ticket.status.title.lowercased())", selected: true)]
                + ticket.status.staffSteps.map { TicketShow.StaffForms.Option(value: $0.rawValue, label: $0.title, selected: false) },
            canned: canned, canAnswer: ticket.status != .closed,
            assignAction: routes.ticketAssign.url(ticket.number),
            assignees: [
                TicketShow.StaffForms.Option(value: "me", label: "Me", selected: false),
                TicketShow.StaffForms.Option(value: "", label: "Nobody (the team)", selected: ticket.assigneeID == nil),
            ]
                + staff.filter { $0.id != context.member.id }.map {
                    TicketShow.StaffForms.Option(value: String($0.id), label: $0.name, selected: $0.id == ticket.assigneeID)
                },
            assignError: assignError, mergeAction: routes.ticketMerge.url(ticket.number), merge: merge)
        return try renderer.response(
            TicketShow(
                chrome: context.chrome, ticket: ticket, history: history, now: database.clock.now, settings: settings, staffView: true,
                notice: try await context.sessionHandle.takeFlash(), back: (routes.tickets.url(), "Ticket queue"), billLink: nil, staff: forms),
            status: status)
    }
}

/// The model of `tickets/queue.mustache`.
struct TicketQueuePage: Page {
    static let template = "tickets/queue"
    let chrome: Chrome
    let title = "Complaint tickets"
    let notice: String?
    let rows: [Row]
    let hasRows: Bool
    let summary: String
    let statuses: [Option]
    let categories: [Option]
    let areas: [Option]
    let assignees: [Option]
    let ages: [Option]
    let breachedOnly: Bool

    typealias Option = SelectOption

    struct Row: Encodable, Sendable {
        let link: String
        let number: String
        let subject: String
        let account: String
        let area: String
        let category: String
        let status: String
        let assignee: String?
        let waited: String
        let left: String
        let breached: Bool
    }

    init(
        chrome: Chrome, notice: String?, filter: TicketQueue.Filter, page: TicketQueue.Page, now: Date, areas: [String],
        staff: [(id: Int64, name: String)], link: (String) -> String
    ) {
        self.chrome = chrome
        self.notice = notice
        rows = page.tickets.map { ticket in
            Row(
                link: link(ticket.number), number: ticket.number, subject: ticket.subject, account: ticket.accountNumber,
                area: "\(ticket.area)\(ticket.rural ? " (rural)" : "")", category: ticket.category.title, status: ticket.status.title,
                assignee: ticket.assigneeName, waited: ServiceClock.duration(max(0, Int64(now.timeIntervalSince(ticket.openedAt)))),
                left: [.resolved, .closed].contains(ticket.status) ? ticket.status.title.lowercased() : ticket.clock.text(at: now),
                breached: ticket.clock.breached(at: now))
        }
        hasRows = !rows.isEmpty
        summary =
            page.totalIsAtLeast
            ? "The first \(rows.count) of \(page.total.formatted()) or more, soonest due first."
            : page.total > rows.count
                ? "The first \(rows.count) of \(page.total.formatted()), soonest due first."
                : "\(page.total.formatted()) ticket\(page.total == 1 ? "" : "s"), soonest due first."
        statuses = ([("working", "Open and in progress"), ("", "Every one not closed")] + TicketStatus.allCases.map { ($0.rawValue, $0.title) }).map {
            Option(value: $0.0, label: $0.1, selected: $0.0 == filter.status)
        }
        categories =
            [Option(value: "", label: "Any", selected: filter.category.isEmpty)]
            + TicketCategory.allCases.map { Option(value: $0.rawValue, label: $0.title, selected: $0.rawValue == filter.category) }
        self.areas =
            [Option(value: "", label: "Any", selected: filter.area.isEmpty)] + areas.map { Option(value: $0, label: $0, selected: $0 == filter.area) }
        assignees =
            [("", "Anyone"), ("me", "Me"), ("nobody", "Nobody")].map { Option(value: $0.0, label: $0.1, selected: $0.0 == filter.assignee) }
            + staff.map { Option(value: String($0.id), label: $0.name, selected: String($0.id) == filter.assignee) }
        ages = [(0, "Any age"), (1, "Older than a day"), (7, "Older than a week"), (30, "Older than 30 days")].map {
            Option(value: String($0.0), label: $0.1, selected: $0.0 == filter.olderThanDays)
        }
        breachedOnly = filter.breachedOnly
    }
}
