import Billing
import Hummingbird
import Platform

/// /admin/tariffs (BL-1): each category's tariff and every version of it, in words. An admin adds
/// a version from a form prefilled with the one in force, sees sample bills under both side by
/// side, and only then saves it. Saved versions are never changed.
public struct TariffsController: Sendable {
    let book: TariffBook
    let renderer: PageRenderer
    let currency: Currency
    let routes = Routes.site

    public init(services: AppServices) {
        book = TariffBook(database: services.database)
        renderer = services.renderer
        currency = services.config.billing.currency
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.adminTariffs, use: index)
        site.get(routes.adminTariffVersionNew, use: newVersion)
        site.post(routes.adminTariffVersionNew, use: submitVersion)
    }

    @Sendable func index(_ request: Request, context: StaffContext) async throws -> Response {
        let versions = try await book.all()
        let canManage = context.member.may(.manageTariffs)
        var categories: [TariffsIndex.Category] = []
        for version in versions {
            let entry = TariffsIndex.Version(
                effectiveFrom: BillShow.day(version.effectiveFrom.description), rules: version.rules.sentences(in: currency))
            let category = version.category.firstCapitalised
            if let last = categories.last, last.category == category {
                categories[categories.count - 1].versions.append(entry)
            } else {
                categories.append(
                    .init(
                        category: category, name: version.tariffName,
                        newVersionLink: canManage ? routes.adminTariffVersionNew.url(version.category) : nil, versions: [entry]))
            }
        }
        return try renderer.response(
            TariffsIndex(chrome: context.chrome, categories: categories, notice: try await context.sessionHandle.takeFlash()))
    }

    @Sendable func newVersion(_ request: Request, context: StaffContext) async throws -> Response {
        let category = try category(context)
        let current = try await latest(category)
        let startOn = BillingPeriod.current(book.database.clock).next.first.description
        let draft =
            current.map { TariffDraft(rules: $0.rules, effectiveFrom: startOn, currency: currency) }
            ?? TariffDraft(effectiveFrom: startOn, blockMode: TariffRules.BlockMode.telescopic.rawValue)
        return try renderer.response(
            TariffVersionForm(
                chrome: context.chrome, category: category, action: routes.adminTariffVersionNew.url(category),
                tariffName: FormField(current?.tariffName ?? ""), draft: draft, problems: .init(), current: current, currency: currency))
    }

    struct VersionInput: Decodable {
        var tariffName: String?
        var effectiveFrom: String?
        var note: String?
        var blockMode: String?
        var dayBasis: String?
        var blocks: String?
        var fixedCharge: String?
        var minimumCharge: String?
        var surcharges: String?
        var taxes: String?
        var lateFee: String?
        var intent: String?
        /// The fingerprint of the draft last previewed.
        var previewed: String?
    }

    @Sendable func submitVersion(_ request: Request, context: StaffContext) async throws -> Response {
        let category = try category(context)
        let input = try await request.decode(as: VersionInput.self, context: context)
        let draft = TariffDraft(
            effectiveFrom: input.effectiveFrom ?? "", note: input.note ?? "", blockMode: input.blockMode ?? "", dayBasis: input.dayBasis ?? "",
            blocks: input.blocks ?? "", fixedCharge: input.fixedCharge ?? "", minimumCharge: input.minimumCharge ?? "",
            surcharges: input.surcharges ?? "", taxes: input.taxes ?? "", lateFee: input.lateFee ?? "")
        let current = try await latest(category)
        // An existing tariff keeps its name (issued bills show it); only a category's first is named here.
        let name = current?.tariffName ?? (input.tariffName ?? "").trimmingCharacters(in: .whitespaces)
        func form(
            _ problems: TariffDraft.Problems, preview: TariffVersionForm.Preview? = nil, nameError: String? = nil, notice: String? = nil
        ) -> TariffVersionForm {
            TariffVersionForm(
                chrome: context.chrome, category: category, action: routes.adminTariffVersionNew.url(category),
                tariffName: FormField(name, error: nameError), draft: draft, problems: problems, current: current, currency: currency,
                preview: preview, notice: notice)
        }
        // Counted as PostgreSQL counts: code points.
        let nameError = (1...60).contains(name.unicodeScalars.count) ? nil : "Give the tariff a name of up to 60 characters, such as Domestic."
        switch draft.parse(currency: currency) {
        case .failure(let problems):
            return try renderer.response(form(problems, nameError: nameError), status: .unprocessableContent)
        case .success(let (day, rules)):
            if let nameError { return try renderer.response(form(.init(), nameError: nameError), status: .unprocessableContent) }
            let previewedThis = input.previewed == draft.fingerprint
            guard input.intent == "save", previewedThis else {
                let samples: [TariffPreview.Sample]
                do {
                    samples = try TariffPreview.samples(current: current?.rules, proposed: rules)
                } catch {
                    var problems = TariffDraft.Problems()
                    problems.general = ["The sample bills cannot be worked out: some amounts are too large."]
                    return try renderer.response(form(problems), status: .unprocessableContent)
                }
                let changed =
                    input.intent == "save" ? "The form changed after its preview: here are its sample bills. Save it if they are right." : nil
                return try renderer.response(
                    form(.init(), preview: .init(samples: samples, rules: rules, currency: currency, fingerprint: draft.fingerprint), notice: changed)
                )
            }
            do {
                try await book.addVersion(
                    category: category, tariffName: name, effectiveFrom: day, rules: rules, note: draft.note.isEmpty ? nil : draft.note,
                    by: context.member.id)
            } catch let refused as TariffBook.Refused {
                var problems = TariffDraft.Problems()
                problems.byField[.effectiveFrom] = refused.description
                return try renderer.response(form(problems), status: .unprocessableContent)
            }
            try await context.sessionHandle.flash(
                "The \(category) tariff has a new version from \(BillShow.day(day.description)). Bills from then on use it.")
            return .redirect(to: routes.adminTariffs.url(), type: .normal)
        }
    }

    private func category(_ context: StaffContext) throws -> String {
        let category = context.parameters.get("category") ?? ""
        guard TariffBook.categories.contains(category) else { throw PageError.notFound }
        return category
    }

    /// The category's latest version (perhaps one not yet in force), which a new one starts from.
    private func latest(_ category: String) async throws -> TariffBook.Version? {
        try await book.all().first { $0.category == category }
    }
}

/// The model of `billing/tariffs.mustache`.
struct TariffsIndex: Page {
    static let template = "billing/tariffs"
    let chrome: Chrome
    let title = "Tariffs"
    let categories: [Category]
    let notice: String?

    struct Category: Encodable, Sendable {
        let category: String
        let name: String
        let newVersionLink: String?
        var versions: [Version]
    }

    struct Version: Encodable, Sendable {
        let effectiveFrom: String
        let rules: [String]
    }
}

/// The model of `billing/tariff-version.mustache`: a new version's form, and its preview.
struct TariffVersionForm: Page {
    static let template = "billing/tariff-version"
    let chrome: Chrome
    let title: String
    let category: String
    let action: String
    let tariffName: FormField
    let effectiveFrom: FormField
    let note: FormField
    let modes: [Mode]
    let blockModeError: String?
    let dayBasis: FormField
    let blocks: FormField
    let fixedCharge: FormField
    let minimumCharge: FormField
    let surcharges: FormField
    let taxes: FormField
    let lateFee: FormField
    let problems: [String]
    let hasProblems: Bool
    let currentFrom: String?
    /// An existing tariff's name is shown, not edited.
    let nameLocked: Bool
    let preview: Preview?
    let notice: String?

    struct Mode: Encodable, Sendable {
        let value: String
        let label: String
        let checked: Bool
    }

    struct Preview: Encodable, Sendable {
        let rules: [String]
        let samples: [Sample]
        let load: String
        let fingerprint: String

        struct Sample: Encodable, Sendable {
            let units: Int64
            let current: String
            let proposed: String
            let change: String
        }

        init(samples: [TariffPreview.Sample], rules: TariffRules, currency: Currency, fingerprint: String) {
            self.fingerprint = fingerprint
            self.rules = rules.sentences(in: currency)
            self.samples = samples.map { sample in
                Sample(
                    units: sample.units, current: sample.current.map(currency.format) ?? "—", proposed: currency.format(sample.proposed),
                    change: sample.current.map { current in
                        let difference = sample.proposed - current
                        return difference == .zero ? "no change" : (difference.isNegative ? "" : "+") + currency.format(difference)
                    } ?? "new")
            }
            load = DecimalText.format(UInt64(TariffPreview.sampleLoadTenthsKW), fractionDigits: 1, minimumFractionDigits: 0)
        }
    }

    init(
        chrome: Chrome, category: String, action: String, tariffName: FormField, draft: TariffDraft, problems: TariffDraft.Problems,
        current: TariffBook.Version?, currency: Currency, preview: Preview? = nil, notice: String? = nil
    ) {
        self.chrome = chrome
        title = "New \(category) tariff version"
        self.category = category
        self.action = action
        self.tariffName = tariffName
        func field(_ value: String, _ name: TariffDraft.Field) -> FormField { FormField(value, error: problems.byField[name]) }
        effectiveFrom = field(draft.effectiveFrom, .effectiveFrom)
        note = field(draft.note, .note)
        modes = [
            Mode(value: "telescopic", label: "Telescopic: each block's units at that block's rate", checked: draft.blockMode == "telescopic"),
            Mode(
                value: "non_telescopic", label: "Non-telescopic: every unit at the rate of the block the total reaches",
                checked: draft.blockMode == "non_telescopic"),
        ]
        blockModeError = problems.byField[.blockMode]
        dayBasis = field(draft.dayBasis, .dayBasis)
        blocks = field(draft.blocks, .blocks)
        fixedCharge = field(draft.fixedCharge, .fixedCharge)
        minimumCharge = field(draft.minimumCharge, .minimumCharge)
        surcharges = field(draft.surcharges, .surcharges)
        taxes = field(draft.taxes, .taxes)
        lateFee = field(draft.lateFee, .lateFee)
        self.problems = problems.general
        hasProblems = !problems.isEmpty || tariffName.error != nil
        currentFrom = current.map { BillShow.day($0.effectiveFrom.description) }
        nameLocked = current != nil
        self.preview = preview
        self.notice = notice
    }
}
