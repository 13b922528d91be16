import Accounts
import Foundation
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// /ops: engineers register meters; finance and engineers import readings from CSV; staff who
/// review readings work the alert list and correct readings; anyone watching the network sees
/// which smart meters are silent. Every route checks its permission.
public struct OpsController: Sendable {
    let database: Database
    let registerMeter: RegisterMeter
    let provisionMeter: ProvisionMeter
    let importReadings: ImportReadings
    let alerts: Alerts
    let correct: CorrectReading
    let health: MeterHealth
    let bridges: BridgeReports
    /// Nil when no bridge is let in (no bridge secret).
    let readAll: ReadAllMeters?
    let renderer: PageRenderer
    let routes = Routes.site

    public init(services: AppServices) {
        database = services.database
        registerMeter = RegisterMeter(database: services.database)
        provisionMeter = ProvisionMeter(database: services.database)
        importReadings = ImportReadings(database: services.database)
        alerts = Alerts(database: services.database)
        correct = CorrectReading(database: services.database)
        health = MeterHealth(database: services.database)
        bridges = BridgeReports(database: services.database)
        readAll = services.bridgeLink.map { ReadAllMeters(database: services.database, link: $0) }
        renderer = services.renderer
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.opsMeters, use: meters)
        site.post(routes.opsMeters, use: submitMeter)
        site.post(routes.opsProvision, use: provision)
        site.get(routes.opsImport, use: showImport)
        site.post(routes.opsImport, use: submitImport)
        site.get(routes.opsAlerts, use: showAlerts)
        site.post(routes.opsAlertsAcknowledge, use: acknowledge)
        site.post(routes.opsCorrect, use: submitCorrection)
        site.get(routes.opsHealth, use: showHealth)
        site.post(routes.opsReadAll, use: submitReadAll)
    }

    // MARK: meters (MT-2)

    struct MeterInput: Decodable {
        var serial: String?
        var model: String?
        var kind: String?
        var multiplier: String?
        var digits: String?
        var key: String?
    }

    private func meterList(_ query: String?) async throws -> [OpsMeters.Meter] {
        let prefix = (Normalise.text(query) ?? "").uppercased()
        return try await database.query(
            """
            SELECT m.serial, m.model, m.kind, m.status, a.account_number
            FROM meters m
            LEFT JOIN meter_installations i ON i.meter_id = m.id AND i.removed_on IS NULL
            LEFT JOIN accounts a ON a.id = i.account_id
            WHERE $1 = '' OR m.serial LIKE $1 || '%'
            ORDER BY m.id DESC LIMIT 50
            """, [SQL.likeEscaped(prefix)]
        ).rows.map {
            OpsMeters.Meter(
                serial: try $0.decode("serial"), model: try $0.decode("model"), kind: try $0.decode("kind"), status: try $0.decode("status"),
                accountNumber: try $0.decode("account_number"))
        }
    }

    @Sendable func meters(_ request: Request, context: StaffContext) async throws -> Response {
        let query = QueryForm(request)["q"]
        var page = OpsMeters(chrome: context.chrome, query: FormField(query), meters: try await meterList(query))
        page.notice = try await context.sessionHandle.takeFlash()
        return try renderer.response(page)
    }

    @Sendable func submitMeter(_ request: Request, context: StaffContext) async throws -> Response {
        let member = context.member
        let input = try await request.decode(as: MeterInput.self, context: context)
        do {
            _ = try await registerMeter.run(
                .init(
                    serial: input.serial, model: input.model, kind: input.kind, multiplier: input.multiplier,
                    registerDigits: input.digits, publicKey: input.key),
                by: member.id, clientAddress: context.clientAddress)
            let serial = (Normalise.text(input.serial) ?? "").uppercased()
            try await context.sessionHandle.flash(
                "Meter \(serial) registered. Provision it when it is configured and tested; then a technician can install it.")
            return .redirect(to: routes.opsMeters.url(), type: .normal)
        } catch let refused as RegisterMeter.Refused {
            var page = OpsMeters(chrome: context.chrome, query: FormField(), meters: try await meterList(nil))
            page.form = .init(
                serial: FormField(input.serial, error: refused.problems[.serial]), model: FormField(input.model, error: refused.problems[.model]),
                kind: FormField(input.kind, error: refused.problems[.kind]),
                multiplier: FormField(input.multiplier, error: refused.problems[.multiplier]),
                digits: FormField(input.digits, error: refused.problems[.registerDigits]),
                key: FormField(input.key, error: refused.problems[.publicKey]))
            return try renderer.response(page, status: .unprocessableContent)
        }
    }

    struct SerialInput: Decodable { var serial: String? }

    @Sendable func provision(_ request: Request, context: StaffContext) async throws -> Response {
        let member = context.member
        let serial = try await request.decode(as: SerialInput.self, context: context).serial ?? ""
        guard !serial.isEmpty else { throw PageError.badRequest }
        guard try await provisionMeter.run(serial: serial, by: member.id, clientAddress: context.clientAddress) else { throw PageError.notFound }
        try await context.sessionHandle.flash("Meter \(serial.uppercased()) provisioned: ready to install.")
        return .redirect(to: routes.opsMeters.url(), type: .normal)
    }

    // MARK: CSV import (MT-4)

    @Sendable func showImport(_ request: Request, context: StaffContext) async throws -> Response {
        try renderer.response(OpsImport(chrome: context.chrome))
    }

    @Sendable func submitImport(_ request: Request, context: StaffContext) async throws -> Response {
        let member = context.member
        let form = try await MultipartForm.read(request, context: context, limit: context.maxUploadSize)
        var page = OpsImport(chrome: context.chrome)
        guard let file = form["file"], !file.data.isEmpty else {
            page.problem = "Choose a CSV file to import."
            return try renderer.response(page, status: .unprocessableContent)
        }
        guard let text = file.text else {
            page.problem = "This file is not text (UTF-8). Save it from your spreadsheet as CSV UTF-8."
            return try renderer.response(page, status: .unprocessableContent)
        }
        let name = file.fileName.flatMap { Normalise.text($0) } ?? "upload.csv"
        switch try await importReadings.run(csv: text, fileName: name, by: member.id, clientAddress: context.clientAddress) {
        case .imported(let count, let skipped):
            page.notice =
                "Imported \(count) readings from \(name)."
                + (skipped > 0
                    ? " \(skipped) \(skipped == 1 ? "was" : "were") already stored and left as \(skipped == 1 ? "it was" : "they were")." : "")
            return try renderer.response(page)
        case .refused(let errors):
            page.problem =
                "Nothing was imported: \(errors.count) \(errors.count == 1 ? "line needs" : "lines need") fixing. Correct \(errors.count == 1 ? "it" : "them") and import the whole file again."
            page.errors = Array(errors.prefix(1000))
            return try renderer.response(page, status: .unprocessableContent)
        }
    }

    // MARK: alerts and corrections (MT-5, MT-6)

    private func alertsPage(_ member: StaffMember, _ context: StaffContext, _ filter: Alerts.Filter) async throws -> OpsAlerts {
        OpsAlerts(
            chrome: context.chrome,
            alerts: try await alerts.list(filter).map {
                // MT-6 → TK-1: support staff open a ticket from an alert.
                OpsAlerts.Row(alert: $0, ticketAction: member.may(.handleTickets) ? Routes.site.ticketFromAlert.url(String($0.id)) : nil)
            },
            kinds: Alerts.kinds.map { .init(value: $0, selected: $0 == filter.kind) }, showAll: !filter.openOnly)
    }

    @Sendable func showAlerts(_ request: Request, context: StaffContext) async throws -> Response {
        let member = context.member
        let query = QueryForm(request)
        let kind = query["kind"].flatMap { $0.isEmpty ? nil : $0 }
        var page = try await alertsPage(member, context, Alerts.Filter(kind: kind, openOnly: query["show"] != "all"))
        page.notice = try await context.sessionHandle.takeFlash()
        return try renderer.response(page)
    }

    struct IDInput: Decodable {
        var alert: String?
        var reading: String?
        var value: String?
        var reason: String?
    }

    @Sendable func acknowledge(_ request: Request, context: StaffContext) async throws -> Response {
        let member = context.member
        let input = try await request.decode(as: IDInput.self, context: context)
        guard let id = Int64(input.alert ?? "") else { throw PageError.badRequest }
        guard try await alerts.acknowledge(id: id, by: member.id, clientAddress: context.clientAddress) else { throw PageError.notFound }
        return .redirect(to: routes.opsAlerts.url(), type: .normal)
    }

    @Sendable func submitCorrection(_ request: Request, context: StaffContext) async throws -> Response {
        let member = context.member
        let input = try await request.decode(as: IDInput.self, context: context)
        guard let readingID = Int64(input.reading ?? "") else { throw PageError.badRequest }
        var page = try await alertsPage(member, context, Alerts.Filter())
        guard let value = RecordReading.registerValue(input.value) else {
            page.problem = "Enter the corrected reading as the digits of the register."
            return try renderer.response(page, status: .unprocessableContent)
        }
        do {
            _ = try await correct.correct(
                readingID: readingID, value: value, reason: input.reason, by: member.id, clientAddress: context.clientAddress)
            try await context.sessionHandle.flash("Reading corrected. The old value stays in the history.")
            return .redirect(to: routes.opsAlerts.url(), type: .normal)
        } catch let refused as CorrectReading.Refused {
            page.problem = refused.message
            return try renderer.response(page, status: .unprocessableContent)
        }
    }

    // MARK: meter health (MT-7)

    @Sendable func showHealth(_ request: Request, context: StaffContext) async throws -> Response {
        let typed = QueryForm(request)["hours"]
        let hours = typed.flatMap { Int($0) }.flatMap { (1...8760).contains($0) ? $0 : nil }
        let overview = try await bridges.overview()
        var page = OpsHealth(
            chrome: context.chrome, hours: FormField(String(hours ?? 24)), bridges: overview.bridges, metersLastHour: overview.meters,
            messagesLastHour: overview.messagesLastHour, meters: try await health.silent(hours: hours ?? 24))
        if typed != nil, hours == nil { page.hours.error = "Enter a number of hours from 1 to 8760." }
        page.notice = try await context.sessionHandle.takeFlash()
        page.hasBridges = !overview.bridges.isEmpty
        page.canReadAll = readAll != nil && !overview.bridges.isEmpty && context.member.may(.commandMeters)
        if let latest = try await readAll?.latest() { page.lastReadAll = OpsHealth.LastRound(latest.round, startedAt: latest.startedAt) }
        return try renderer.response(page, status: page.hours.error == nil ? .ok : .unprocessableContent)
    }

    /// BR-2: read every connected meter now; the page then shows what came back.
    @Sendable func submitReadAll(_ request: Request, context: StaffContext) async throws -> Response {
        guard let readAll else {
            try await context.sessionHandle.flash("No device bridge is let in: set BRIDGE_SECRET first.")
            return .redirect(to: routes.opsHealth.url(), type: .normal)
        }
        let round = try await readAll.run(by: context.member.id)
        try await context.sessionHandle.flash(
            round.bridges == 0
                ? "No bridge has reported in the last minute: no meter could be asked."
                : "\(round.answered) of \(round.asked) connected meters answered in \(round.milliseconds) ms; \(round.stored) readings stored.")
        return .redirect(to: routes.opsHealth.url(), type: .normal)
    }
}

/// The model of `ops/meters.mustache`.
struct OpsMeters: Page {
    static let template = "ops/meters"
    let chrome: Chrome
    let title = "Meters"
    var query: FormField
    let meters: [Meter]
    var form = Form(
        serial: FormField(), model: FormField(), kind: FormField("manual"), multiplier: FormField("1"), digits: FormField("6"), key: FormField())
    var notice: String?

    struct Meter: Encodable, Sendable {
        let serial: String
        let model: String
        let kind: String
        let status: String
        let accountNumber: String?
        /// Waiting to be provisioned: the page offers the button.
        let registered: Bool
        /// A smart or prepaid meter's own page (commands, BR-3).
        let link: String?

        init(serial: String, model: String, kind: String, status: String, accountNumber: String?) {
            (self.serial, self.model, self.kind, self.status, self.accountNumber) = (serial, model, kind, status, accountNumber)
            registered = status == "registered"
            link = kind == "manual" ? nil : Routes.site.opsMeter.url(serial)
        }
    }

    struct Form: Encodable, Sendable {
        var serial: FormField
        var model: FormField
        var kind: FormField
        var multiplier: FormField
        var digits: FormField
        var key: FormField
    }
}

/// The model of `ops/import.mustache`.
struct OpsImport: Page {
    static let template = "ops/import"
    let chrome: Chrome
    let title = "Import readings"
    var notice: String?
    var problem: String?
    var errors: [ImportReadings.LineError] = []
}

/// The model of `ops/alerts.mustache`.
struct OpsAlerts: Page {
    static let template = "ops/alerts"
    let chrome: Chrome
    let title = "Consumption alerts"
    let alerts: [Row]
    let kinds: [Choice]
    let showAll: Bool
    var notice: String?
    var problem: String?

    struct Choice: Encodable, Sendable {
        let value: String
        let selected: Bool
    }

    struct Row: Encodable, Sendable {
        let alert: Alerts.Alert
        let ticketAction: String?
    }
}

/// The model of `ops/health.mustache`.
struct OpsHealth: Page {
    static let template = "ops/health"
    let chrome: Chrome
    let title = "Smart meters"
    var hours: FormField
    let bridges: [BridgeReports.Bridge]
    var hasBridges = false
    let metersLastHour: Int
    let messagesLastHour: Int
    let meters: [MeterHealth.Meter]
    var notice: String?
    var canReadAll = false
    var lastReadAll: LastRound?

    /// The latest read-all (BR-2), as the page says it.
    struct LastRound: Encodable, Sendable {
        let startedAt: String
        let summary: String
        let missing: String?

        init(_ round: ReadAllMeters.Round, startedAt: String) {
            self.startedAt = startedAt
            summary =
                "\(round.answered) of \(round.asked) meters answered in \(round.milliseconds) ms, from \(round.bridges) bridge\(round.bridges == 1 ? "" : "s")"
                + (round.unreachable > 0 ? " (\(round.unreachable) did not answer the portal)" : "") + "."
            missing =
                round.missing.isEmpty
                ? nil : round.missing.prefix(20).joined(separator: ", ") + (round.missing.count > 20 ? " and \(round.missing.count - 20) more" : "")
        }
    }
}
