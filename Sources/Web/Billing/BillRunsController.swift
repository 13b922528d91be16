import Billing
import Foundation
import Hummingbird
import Identity
import Logging
import Metering
import Platform

/// /finance/bill-runs (BL-2): finance drafts a month, previews it, and a second finance user
/// approves it; drafting and issuing run in the background while the page shows their progress.
public struct BillRunsController: Sendable {
    let database: Database
    let renderer: PageRenderer
    let settings: BillingSettings
    let logger: Logger
    /// Reads the connected meters before a run drafts (BR-2); nil without bridges.
    let readAll: ReadAllMeters?
    let routes = Routes.site

    public init(services: AppServices) {
        database = services.database
        renderer = services.renderer
        settings = services.config.billing
        logger = services.logger
        readAll = services.bridgeLink.map { ReadAllMeters(database: services.database, link: $0) }
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.billRuns, use: index)
        site.post(routes.billRuns, use: submitDraft)
        site.get(routes.billRun, use: show)
        site.post(routes.billRunApprove, use: approve)
        site.post(routes.billRunDiscard, use: discard)
        site.post(routes.billRunResume, use: resume)
    }

    @Sendable func index(_ request: Request, context: StaffContext) async throws -> Response {
        try await indexPage(context, notice: try await context.sessionHandle.takeFlash())
    }

    private func indexPage(
        _ context: StaffContext, period: String? = nil, error: String? = nil, notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let lastMonth = BillingPeriod.current(database.clock).previous
        let runs = try await BillRun.recent(in: database).map { run in
            BillRunIndex.Run(
                link: routes.billRun.url(String(run.id)), month: run.period.name, status: BillRunShow.statusText(run.status),
                bills: run.accountsDone, createdBy: run.createdByName, approvedBy: run.approvedByName)
        }
        return try renderer.response(
            BillRunIndex(
                chrome: context.chrome, runs: runs, period: FormField(period ?? lastMonth.description, error: error), notice: notice),
            status: status)
    }

    struct DraftInput: Decodable { var period: String? }

    @Sendable func submitDraft(_ request: Request, context: StaffContext) async throws -> Response {
        let input = try await request.decode(as: DraftInput.self, context: context)
        guard let period = BillingPeriod(input.period ?? "") else {
            return try await indexPage(
                context, period: input.period, error: "Give the month as YYYY-MM, for example 2026-10.", status: .unprocessableContent)
        }
        let draft = DraftBillRun(database: database, settings: settings)
        do {
            let run = try await draft.start(period: period, by: context.member.id)
            try await AuditLog.record(
                in: database, .billRunDrafted, userID: context.member.id, clientAddress: context.clientAddress,
                details: ["run": String(run.id), "period": period.description])
            let readAll = readAll
            let memberID = context.member.id
            background("drafting") {
                // BR-2: the connected meters are read first, so that the run uses what they say today.
                _ = try? await readAll?.run(by: memberID, billRunID: run.id)
                _ = try await draft.resume(run)
            }
            return .redirect(to: routes.billRun.url(String(run.id)), type: .normal)
        } catch let refused as DraftBillRun.Refused {
            return try await indexPage(context, period: input.period, error: refused.description, status: .unprocessableContent)
        }
    }

    @Sendable func show(_ request: Request, context: StaffContext) async throws -> Response {
        try await showPage(try runID(context), context, notice: try await context.sessionHandle.takeFlash())
    }

    private func showPage(_ id: Int64, _ context: StaffContext, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok)
        async throws -> Response
    {
        let preview = try await BillRunPreview.load(id, in: database)
        var page = BillRunShow(
            preview: preview, viewer: context.member.id, currency: settings.currency, chrome: context.chrome, notice: notice, error: error)
        if let read = try await readAll?.before(billRun: id) {
            page.metersRead = OpsHealth.LastRound(read.round, startedAt: read.startedAt).summary
        }
        return try renderer.response(page, status: status)
    }

    @Sendable func approve(_ request: Request, context: StaffContext) async throws -> Response {
        let id = try runID(context)
        do {
            try await ApproveBillRun(database: database).run(id, by: context.member.id)
            try await AuditLog.record(
                in: database, .billRunApproved, userID: context.member.id, clientAddress: context.clientAddress, details: ["run": String(id)])
            let issue = IssueBillRun(database: database, settings: settings)
            background("issuing") { _ = try await issue.run(id) }
            try await context.sessionHandle.flash("Approved. The bills are being issued; consumers are told by SMS.")
            return .redirect(to: routes.billRun.url(String(id)), type: .normal)
        } catch let refused as ApproveBillRun.Refused {
            return try await showPage(id, context, error: refused.description, status: .unprocessableContent)
        }
    }

    @Sendable func discard(_ request: Request, context: StaffContext) async throws -> Response {
        let id = try runID(context)
        do {
            let discard = DiscardBillRun(database: database)
            try await discard.markDiscarded(id, by: context.member.id)
            // A town's draft takes minutes to delete; its bills are inert once the run is discarded.
            background("discarding") { try await discard.clearBills(of: id) }
            try await AuditLog.record(
                in: database, .billRunDiscarded, userID: context.member.id, clientAddress: context.clientAddress, details: ["run": String(id)])
            try await context.sessionHandle.flash("The draft was discarded; its month can be drafted again.")
            return .redirect(to: routes.billRuns.url(), type: .normal)
        } catch let refused as DiscardBillRun.Refused {
            return try await showPage(id, context, error: refused.description, status: .unprocessableContent)
        }
    }

    /// Picks up a run whose drafting or issuing stopped (the server restarted): both are resumable.
    @Sendable func resume(_ request: Request, context: StaffContext) async throws -> Response {
        let run = try await BillRun.find(try runID(context), in: database)
        switch run.status {
        case .drafting:
            let draft = DraftBillRun(database: database, settings: settings)
            background("drafting") { _ = try await draft.resume(run) }
        case .approved, .issuing:
            let issue = IssueBillRun(database: database, settings: settings)
            background("issuing") { _ = try await issue.run(run.id) }
        case .draft, .issued, .discarded:
            break
        }
        return .redirect(to: routes.billRun.url(String(run.id)), type: .normal)
    }

    private func runID(_ context: StaffContext) throws -> Int64 {
        guard let id = context.parameters.get("run").flatMap(Int64.init) else { throw NotFound("bill run") }
        return id
    }

    /// Long work outlives the request; its state is in the run's row, so a failure is logged and
    /// the page offers to resume.
    private func background(_ what: String, _ work: @escaping @Sendable () async throws -> Void) {
        let logger = self.logger
        Task {
            do { try await work() } catch { logger.error("bill run \(what) stopped", metadata: ["error": "\(error)"]) }
        }
    }
}
