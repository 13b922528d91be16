import Accounts
import Foundation
import Tickets

/// The model of `tickets/mine.mustache`: the consumer's tickets and the form to raise one.
struct TicketsIndex: Page {
    static let template = "tickets/mine"
    let chrome: Chrome
    let title = "Your tickets"
    let notice: String?
    let tickets: [Row]
    let hasTickets: Bool
    let form: Form
    let premises: [Option]
    let choosePremise: Bool
    let categories: [Option]
    let about: [Option]
    let action: String

    struct Row: Encodable, Sendable {
        let link: String
        let number: String
        let subject: String
        let category: String
        let status: String
        let opened: String
        let premise: String
    }

    typealias Option = SelectOption

    struct Form: Encodable, Sendable {
        var premise = ""
        var premiseError: String?
        var category = ""
        var categoryError: String?
        var subject = FormField()
        var details = FormField()
        var about = ""
        var aboutError: String?
    }

    init(chrome: Chrome, notice: String?, tickets: [Row], form: Form, premises: [PremiseAccess.Grant], bills: [Option], action: String) {
        self.chrome = chrome
        self.notice = notice
        self.tickets = tickets
        hasTickets = !tickets.isEmpty
        self.form = form
        self.premises = premises.map { Option(value: $0.accountNumber, label: $0.supplyAddress, selected: $0.accountNumber == form.premise) }
        choosePremise = premises.count > 1
        categories = TicketCategory.allCases.map { Option(value: $0.rawValue, label: $0.title, selected: $0.rawValue == form.category) }
        about =
            ([Option(value: "", label: "Nothing in particular", selected: false), Option(value: "meter", label: "The meter", selected: false)] + bills)
            .map {
                var option = $0
                option.selected = option.value == form.about
                return option
            }
        self.action = action
    }
}

/// The model of `tickets/ticket.mustache`: one ticket, its history, and the forms its reader may
/// use (the consumer's, or support's).
struct TicketShow: Page {
    static let template = "tickets/ticket"
    let chrome: Chrome
    let title: String
    let notice: String?
    let back: String
    let backLabel: String
    let number: String
    let subject: String
    let category: String
    let status: String
    let premise: String
    let account: String
    let area: String
    let opened: String
    let bill: String?
    let billLink: String?
    let meter: String?
    let assignee: String?
    let standard: String
    let clock: String
    let breached: Bool
    let escalation: String?
    let mergedInto: String?
    let rating: String?
    let history: [Entry]
    let consumer: ConsumerForms?
    let staff: StaffForms?

    struct Entry: Encodable, Sendable {
        let at: String
        let who: String
        let fromStaff: Bool
        let what: String?
        let body: String?
    }

    struct ConsumerForms: Encodable, Sendable {
        let commentAction: String
        let comment: FormField
        let canComment: Bool
        let reopenAction: String
        let reopen: FormField
        let canReopen: Bool
        let ratingAction: String
        let ratingError: String?
        let canRate: Bool
        let stars = [5, 4, 3, 2, 1]
    }

    struct StaffForms: Encodable, Sendable {
        typealias Option = SelectOption
        let answerAction: String
        let answer: FormField
        let statusError: String?
        let steps: [Option]
        let canned: [Option]
        let canAnswer: Bool
        let assignAction: String
        let assignees: [Option]
        let assignError: String?
        let mergeAction: String
        let merge: FormField
    }

    init(
        chrome: Chrome, ticket: Ticket, history: [TicketHistory.Entry], now: Date, settings: TicketSettings, staffView: Bool, notice: String?,
        back: (String, String), billLink: String?, consumer: ConsumerForms? = nil, staff: StaffForms? = nil
    ) {
        self.chrome = chrome
        title = "Ticket \(ticket.number)"
        self.notice = notice
        (self.back, backLabel) = back
        number = ticket.number
        subject = ticket.subject
        category = ticket.category.title
        status = staffView ? ticket.status.title : ticket.status.consumerTitle
        premise = ticket.supplyAddress
        account = "\(ticket.accountNumber) · \(ticket.holderName)"
        area = "\(ticket.area) (\(ticket.rural ? "rural" : "urban"))"
        opened = ticket.openedText
        bill = ticket.billNumber
        self.billLink = billLink
        meter = ticket.meterSerial
        assignee = ticket.assigneeName
        let days = ticket.clock.targetSeconds / 86_400
        standard = "Resolved within \(days) day\(days == 1 ? "" : "s") (\(ticket.rural ? "rural" : "urban") area)"
        switch ticket.status {
        case .resolved, .closed:
            let used = ticket.clock.used(at: now)
            clock =
                ticket.clock.breached(at: now)
                ? "Took \(ServiceClock.duration(used)): \(ServiceClock.duration(used - ticket.clock.targetSeconds)) past the standard"
                : "Took \(ServiceClock.duration(used)), within the standard"
        case .waiting:
            clock = "\(ticket.clock.text(at: now)): the clock stops while \(staffView ? "we wait on the customer" : "we wait for your answer")"
        case .open, .inProgress: clock = ticket.clock.text(at: now)
        }
        breached = ticket.clock.breached(at: now)
        escalation =
            ticket.escalated && ![.resolved, .closed].contains(ticket.status)
            ? "Not resolved after \(settings.escalationDays) days. If you are not satisfied with how it is handled, you can take the complaint to \(settings.escalationForum)."
            : nil
        mergedInto = ticket.mergedInto
        rating = ticket.rating.map { "\($0) of 5" }
        self.history = history.map { entry in
            let who: String =
                if entry.byStaff {
                    staffView ? (entry.author ?? "Support") : "Support" + (entry.author.map { " (\($0))" } ?? "")
                } else if let author = entry.author {
                    staffView ? "\(author) (consumer)" : "You"
                } else {
                    "Meterline"
                }
            let what: String? =
                switch entry.kind {
                case "opened": "raised the ticket"
                case "status": "moved it to “\((staffView ? entry.status?.title : entry.status?.consumerTitle) ?? "")”"
                case "assigned": nil
                case "merged": nil
                case "escalated": "escalation notice"
                case "compensated": "compensation"
                case "rated": nil
                default: nil
                }
            return Entry(at: entry.at, who: who, fromStaff: entry.byStaff, what: what, body: entry.body)
        }
        self.consumer = consumer
        self.staff = staff
    }
}
