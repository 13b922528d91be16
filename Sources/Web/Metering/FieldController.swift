import Accounts
import Foundation
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// /field (MT-3): built for a reader's phone. Find a premise, see its last readings, enter a
/// reading. Works without JavaScript; every form carries a one-time key so a double submit on
/// a bad connection stores one reading.
public struct FieldController: Sendable {
    let find: FindAccounts
    let premises: PremiseReadings
    let recordReading: RecordReading
    let install: InstallMeter
    let exchange: ExchangeMeter
    let locate: UpdateLocation
    let renderer: PageRenderer
    let clock: any WallClock
    let routes = Routes.site

    public init(services: AppServices) {
        clock = services.database.clock
        find = FindAccounts(database: services.database)
        premises = PremiseReadings(database: services.database)
        recordReading = RecordReading(database: services.database, highUseFactor: services.config.highUseFactor)
        install = InstallMeter(database: services.database)
        exchange = ExchangeMeter(database: services.database)
        locate = UpdateLocation(database: services.database)
        renderer = services.renderer
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.field, use: search)
        site.get(routes.fieldAccount, use: show)
        site.post(routes.fieldReadings, use: submitReading)
        site.post(routes.fieldInstall, use: submitInstall)
        site.post(routes.fieldExchange, use: submitExchange)
        site.post(routes.fieldLocation, use: submitLocation)
    }

    @Sendable func search(_ request: Request, context: StaffContext) async throws -> Response {
        let typed = QueryForm(request)["q"].map { String($0.prefix(200)) }
        let query = FindAccounts.parse(typed)
        var page = FieldSearch(chrome: context.chrome, query: FormField(typed))
        if typed != nil {
            if query == .tooShort {
                page.query.error = "Type at least 3 letters or digits: an account number, a name, an address or a meter serial."
            } else {
                page.hits = try await find.search(query).map(FieldSearch.Hit.init)
                page.searched = true
            }
        }
        return try renderer.response(page)
    }

    @Sendable func show(_ request: Request, context: StaffContext) async throws -> Response {
        let member = context.member
        let number = context.parameters.get("number") ?? ""
        guard let premise = try await premises.load(accountNumber: number) else { throw PageError.notFound }
        var page = FieldAccount(chrome: context.chrome, premise: premise, form: .blank(clock))
        page.work = member.may(.installMeters) ? .blank(clock) : nil
        if member.may(.issueEmergencyTokens), premise.meter?.kind == "prepaid" { page.emergencyLink = routes.fieldEmergencyToken.url(number) }
        page.notice = try await context.sessionHandle.takeFlash()
        return try renderer.response(page)
    }

    struct ReadingInput: Decodable {
        var value: String?
        var date: String?
        var note: String?
        var key: String?
    }

    @Sendable func submitReading(_ request: Request, context: StaffContext) async throws -> Response {
        let member = context.member
        let number = context.parameters.get("number") ?? ""
        let fields = try await request.decode(as: ReadingInput.self, context: context)
        do {
            let outcome = try await recordReading.record(
                RecordReading.Input(
                    accountNumber: number, value: fields.value, date: fields.date, note: fields.note, idempotencyKey: fields.key,
                    readerID: member.id, clientAddress: context.clientAddress))
            let flagged = if case .recorded(_, .some) = outcome { true } else { false }
            try await context.sessionHandle.flash(
                flagged ? "Reading saved, and flagged for review: it is far from this premise's usual use." : "Reading saved.")
            return .redirect(to: routes.fieldAccount.url(number), type: .normal)
        } catch let refused as RecordReading.Refused {
            guard let premise = try await premises.load(accountNumber: number) else { throw PageError.notFound }
            var form = FieldAccount.ReadingForm(
                value: FormField(fields.value), date: FormField(fields.date), note: FormField(fields.note),
                key: refused.field == .form ? FieldAccount.ReadingForm.newKey() : fields.key ?? FieldAccount.ReadingForm.newKey())
            switch refused.field {
            case .value: form.value.error = refused.message
            case .date: form.date.error = refused.message
            case .note: form.note.error = refused.message
            case .form: form.problem = refused.message
            }
            var page = FieldAccount(chrome: context.chrome, premise: premise, form: form)
            page.work = member.may(.installMeters) ? .blank(clock) : nil
            return try renderer.response(page, status: .unprocessableContent)
        }
    }

    // MARK: technicians (MT-2)

    struct WorkInput: Decodable {
        var serial: String?
        var date: String?
        var initial: String?
        var final: String?
        var latitude: String?
        var longitude: String?
    }

    /// Runs one technician form; a refusal re-renders the premise page with the message and what was typed.
    private func technicianWork(
        _ request: Request, _ context: StaffContext, done: String,
        _ work: (String, WorkInput, StaffMember) async throws -> Void
    ) async throws -> Response {
        let member = context.member
        let number = context.parameters.get("number") ?? ""
        let input = try await request.decode(as: WorkInput.self, context: context)
        do {
            try await work(number, input, member)
            if let notice = FieldAccount.Work.notices[done] { try await context.sessionHandle.flash(notice) }
            return .redirect(to: routes.fieldAccount.url(number), type: .normal)
        } catch let refused as InstallMeter.Refused {
            guard let premise = try await premises.load(accountNumber: number) else { throw PageError.notFound }
            var page = FieldAccount(chrome: context.chrome, premise: premise, form: .blank(clock))
            page.work = FieldAccount.Work(
                serial: input.serial ?? "", date: input.date ?? CalendarDay.today(clock), initial: input.initial ?? "",
                final: input.final ?? "", latitude: input.latitude ?? "", longitude: input.longitude ?? "", problem: refused.message)
            return try renderer.response(page, status: .unprocessableContent)
        }
    }

    private static func day(_ typed: String?) throws -> CalendarDay {
        guard let day = CalendarDay(typed) else { throw InstallMeter.Refused(message: "Enter the date as YYYY-MM-DD.") }
        return day
    }

    private static func reading(_ typed: String?, _ what: String) throws -> Int64 {
        guard let value = RecordReading.registerValue(typed) else {
            throw InstallMeter.Refused(message: "Enter the \(what) as the digits of the register.")
        }
        return value
    }

    private static func location(_ input: WorkInput, required: Bool) throws -> InstallMeter.Location? {
        if !required, Normalise.text(input.latitude) == nil, Normalise.text(input.longitude) == nil { return nil }
        guard let location = InstallMeter.Location(latitude: input.latitude, longitude: input.longitude) else {
            throw InstallMeter.Refused(message: "Enter the GPS position as decimal degrees: latitude -90 to 90, longitude -180 to 180.")
        }
        return location
    }

    @Sendable func submitInstall(_ request: Request, context: StaffContext) async throws -> Response {
        try await technicianWork(request, context, done: "installed") { number, input, member in
            _ = try await install.run(
                serial: input.serial ?? "", accountNumber: number, on: try Self.day(input.date),
                initialReading: try Self.reading(input.initial, "initial reading"),
                location: try Self.location(input, required: false), by: member.id, clientAddress: context.clientAddress)
        }
    }

    @Sendable func submitExchange(_ request: Request, context: StaffContext) async throws -> Response {
        try await technicianWork(request, context, done: "exchanged") { number, input, member in
            _ = try await exchange.run(
                accountNumber: number, on: try Self.day(input.date), finalReading: try Self.reading(input.final, "old meter's final reading"),
                newSerial: input.serial ?? "", newInitialReading: try Self.reading(input.initial, "new meter's initial reading"),
                by: member.id, clientAddress: context.clientAddress)
        }
    }

    @Sendable func submitLocation(_ request: Request, context: StaffContext) async throws -> Response {
        try await technicianWork(request, context, done: "located") { number, input, member in
            guard let location = try Self.location(input, required: true),
                try await locate.run(accountNumber: number, location: location, by: member.id, clientAddress: context.clientAddress)
            else { throw InstallMeter.Refused(message: "This premise has no meter to locate.") }
        }
    }
}

/// The model of `field/search.mustache`.
struct FieldSearch: Page {
    static let template = "field/search"
    let chrome: Chrome
    let title = "Find a premise"
    var query: FormField
    var hits: [Hit] = []

    /// A premise found, with the link to its page.
    struct Hit: Encodable, Sendable {
        let accountNumber: String
        let holderName: String
        let supplyAddress: String
        let area: String
        let meterSerial: String?
        let link: String

        init(_ hit: FindAccounts.Hit) {
            accountNumber = hit.accountNumber
            holderName = hit.holderName
            supplyAddress = hit.supplyAddress
            area = hit.area
            meterSerial = hit.meterSerial
            link = Routes.site.fieldAccount.url(hit.accountNumber)
        }
    }
    var searched = false
}

/// The model of `field/account.mustache`: one premise and the reading form.
struct FieldAccount: Page {
    static let template = "field/account"
    let chrome: Chrome
    let title: String
    let premise: PremiseReadings.Premise
    var form: ReadingForm
    var notice: String?
    /// The technician's forms (install, exchange, locate), for those who may do that work.
    var work: Work?
    /// A prepaid meter's emergency token page, for those who may issue one (BL-8).
    var emergencyLink: String?

    /// Where the reading form posts.
    let action: String
    /// Where the technician's forms post.
    let installAction: String
    let exchangeAction: String
    let locationAction: String

    init(chrome: Chrome, premise: PremiseReadings.Premise, form: ReadingForm) {
        self.chrome = chrome
        self.premise = premise
        self.form = form
        title = "Account \(premise.accountNumber)"
        action = Routes.site.fieldReadings.url(premise.accountNumber)
        installAction = Routes.site.fieldInstall.url(premise.accountNumber)
        exchangeAction = Routes.site.fieldExchange.url(premise.accountNumber)
        locationAction = Routes.site.fieldLocation.url(premise.accountNumber)
    }

    struct Work: Encodable, Sendable {
        var serial: String
        var date: String
        var initial: String
        var final: String
        var latitude: String
        var longitude: String
        var problem: String?

        static func blank(_ clock: any WallClock) -> Work {
            Work(serial: "", date: CalendarDay.today(clock), initial: "", final: "", latitude: "", longitude: "")
        }

        static let notices = [
            "installed": "Meter installed. Its initial reading is the first reading of this premise.",
            "exchanged": "Meter exchanged. The old meter's final reading closed its history; the new one counts from its initial reading.",
            "located": "Location saved.",
        ]
    }

    struct ReadingForm: Encodable, Sendable {
        var value: FormField
        var date: FormField
        var note: FormField
        /// The one-time key that makes a second submit of this form a no-op.
        let key: String
        var problem: String?

        static func newKey() -> String { Base64URL.encode(SecureRandom.bytes(18)) }

        /// Today (the utility's day) in the date field and a fresh key.
        static func blank(_ clock: any WallClock) -> ReadingForm {
            ReadingForm(value: FormField(), date: FormField(CalendarDay.today(clock)), note: FormField(), key: newKey())
        }
    }

}
