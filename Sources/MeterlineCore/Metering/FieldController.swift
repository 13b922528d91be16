import Foundation
import Hummingbird

/// /field (MT-3): built for a reader's phone. Find a premise, see its last readings, enter a
/// reading. Works without JavaScript; every form carries a one-time key so a double submit on
/// a bad connection stores one reading.
public struct FieldController: Sendable {
    let access: StaffAccess
    let find: FindAccounts
    let premises: PremiseReadings
    let recordReading: RecordReading
    let renderer: PageRenderer
    let paths = Paths()

    public init(services: AppServices) {
        access = StaffAccess(database: services.database)
        find = FindAccounts(database: services.database)
        premises = PremiseReadings(database: services.database)
        recordReading = RecordReading(database: services.database, highUseFactor: services.config.highUseFactor)
        renderer = services.renderer
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(paths.field), use: search)
        router.get("/field/accounts/:number", use: show)
        router.post("/field/accounts/:number/readings", use: submitReading)
    }

    private func chrome(_ member: StaffMember, _ context: AppRequestContext) async throws -> Chrome {
        Chrome(user: member.fullName, csrfToken: try await context.requireSession().csrfToken())
    }

    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await access.page(.readMeters, context) { member in
            let typed = QueryForm(request)["q"].map { String($0.prefix(200)) }
            let query = FindAccounts.parse(typed)
            var page = FieldSearch(chrome: try await chrome(member, context), query: FormField(typed))
            if typed != nil {
                if query == .tooShort {
                    page.query.error = "Type at least 3 letters or digits: an account number, a name, an address or a meter serial."
                } else {
                    page.hits = try await find.search(query)
                    page.searched = true
                }
            }
            return try renderer.response(page)
        }
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await access.page(.readMeters, context) { member in
            let number = context.parameters.get("number") ?? ""
            guard let premise = try await premises.load(accountNumber: number) else { throw PageError.notFound }
            var page = FieldAccount(chrome: try await chrome(member, context), premise: premise, form: .blank())
            if QueryForm(request)["saved"] != nil { page.notice = "Reading saved." }
            if QueryForm(request)["flagged"] != nil {
                page.notice = "Reading saved, and flagged for review: it is far from this premise's usual use."
            }
            return try renderer.response(page)
        }
    }

    struct ReadingInput: Decodable {
        var value: String?
        var date: String?
        var note: String?
        var key: String?
    }

    @Sendable func submitReading(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await access.page(.readMeters, context) { member in
            let number = context.parameters.get("number") ?? ""
            let fields = try await request.decode(as: ReadingInput.self, context: context)
            do {
                let outcome = try await recordReading.record(RecordReading.Input(
                    accountNumber: number, value: fields.value, date: fields.date, note: fields.note, idempotencyKey: fields.key,
                    readerID: member.id, clientAddress: context.clientAddress))
                let flagged = if case .recorded(_, .some) = outcome { true } else { false }
                return .redirect(to: paths.fieldAccount(number) + (flagged ? "?flagged=1" : "?saved=1"), type: .normal)
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
                return try renderer.response(
                    FieldAccount(chrome: try await chrome(member, context), premise: premise, form: form), status: .unprocessableContent)
            }
        }
    }
}

/// The model of `field/search.mustache`.
struct FieldSearch: Page {
    static let template = "field/search"
    let chrome: Chrome
    let title = "Find a premise"
    var query: FormField
    var hits: [FindAccounts.Hit] = []
    var searched = false
}

/// The model of `field/account.mustache`: one premise and the reading form.
struct FieldAccount: Page {
    static let template = "field/account"
    let chrome: Chrome
    var title: String { "Account \(premise.accountNumber)" }
    let premise: PremiseReadings.Premise
    var form: ReadingForm
    var notice: String?

    var action: String { Paths().fieldReadings(premise.accountNumber) }

    struct ReadingForm: Encodable, Sendable {
        var value: FormField
        var date: FormField
        var note: FormField
        /// The one-time key that makes a second submit of this form a no-op.
        let key: String
        var problem: String?

        static func newKey() -> String { Base64URL.encode(SecureRandom.bytes(18)) }

        /// Today (UTC) in the date field and a fresh key.
        static func blank() -> ReadingForm {
            let today = ISO8601DateFormatter.string(from: .now, timeZone: .gmt, formatOptions: [.withFullDate])
            return ReadingForm(value: FormField(), date: FormField(today), note: FormField(), key: newKey())
        }
    }

    enum CodingKeys: String, CodingKey { case chrome, title, premise, form, notice, action }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(chrome, forKey: .chrome)
        try container.encode(title, forKey: .title)
        try container.encode(premise, forKey: .premise)
        try container.encode(form, forKey: .form)
        try container.encodeIfPresent(notice, forKey: .notice)
        try container.encode(action, forKey: .action)
    }
}
