import Billing
import Platform

/// The model of `billing/bill-runs.mustache`: the recent runs and the form that drafts a month.
struct BillRunIndex: Page {
    static let template = "billing/bill-runs"
    let chrome: Chrome
    let title = "Bill runs"
    let runs: [Run]
    let period: FormField
    let notice: String?

    struct Run: Encodable, Sendable {
        let link: String
        let month: String
        let status: String
        let bills: Int
        let createdBy: String
        let approvedBy: String?
    }
}

/// The model of `billing/bill-run.mustache`: a run's preview, its progress while drafting or
/// issuing (the page refreshes itself), and what this finance user may do with it.
struct BillRunShow: Page {
    static let template = "billing/bill-run"
    let chrome: Chrome
    let title: String
    let status: String
    /// Drafting or issuing: the page reloads every two seconds and shows progress.
    let working: Bool
    /// What the read-all before drafting brought back (BR-2).
    var metersRead: String?
    let progressDone: Int
    let progressTotal: Int
    let progressPercent: Int
    let createdBy: String
    let approvedBy: String?
    let byCategory: [Total]
    let byArea: [Total]
    let overall: Total
    let estimated: Int
    let cappedBills: Int
    let anyCapped: Bool
    let writtenOffUnits: Int64
    let exceptions: [Exception]
    let exceptionCounts: [ExceptionCount]
    let moreExceptions: Bool
    let hasExceptions: Bool
    let canApprove: Bool
    /// The viewer drafted this run: someone else must approve it.
    let waitsForSecondUser: Bool
    let canDiscard: Bool
    let canResume: Bool
    let approveAction: String
    let discardAction: String
    let resumeAction: String
    let notice: String?
    let error: String?

    struct Total: Encodable, Sendable {
        let name: String
        let bills: Int
        let units: Int64
        let amount: String
    }

    struct ExceptionCount: Encodable, Sendable {
        let explanation: String
        let count: Int
    }

    struct Exception: Encodable, Sendable {
        let accountNumber: String
        let holderName: String
        let explanation: String
        let units: Int64
        let amount: String
    }

    init(preview: BillRunPreview, viewer: Int64, currency: Currency, chrome: Chrome, notice: String?, error: String?) {
        let run = preview.run
        let routes = Routes.site
        func total(_ total: BillRunPreview.Total) -> Total {
            Total(
                name: total.name.firstCapitalised, bills: total.bills, units: total.units,
                amount: currency.format(total.amount))
        }
        self.chrome = chrome
        title = "Bill run: \(run.period.name)"
        status = Self.statusText(run.status)
        working = [.drafting, .approved, .issuing].contains(run.status)
        progressDone = run.accountsDone
        progressTotal = max(run.accountsTotal, run.accountsDone)
        progressPercent = progressTotal == 0 ? 100 : progressDone * 100 / progressTotal
        createdBy = run.createdByName
        approvedBy = run.approvedByName
        byCategory = preview.byCategory.map(total)
        byArea = preview.byArea.map(total)
        overall = total(preview.overall)
        estimated = preview.estimated
        cappedBills = preview.cappedBills
        anyCapped = preview.cappedBills > 0
        writtenOffUnits = preview.writtenOffUnits
        exceptions = preview.exceptions.map {
            Exception(
                accountNumber: $0.accountNumber, holderName: $0.holderName, explanation: $0.explanation, units: $0.units,
                amount: currency.format($0.amount))
        }
        exceptionCounts = preview.exceptionCounts.map {
            ExceptionCount(explanation: BillRunPreview.Exception.explanation(of: $0.kind), count: $0.count)
        }
        hasExceptions = !preview.exceptions.isEmpty
        moreExceptions = preview.exceptionCounts.reduce(0) { $0 + $1.count } > preview.exceptions.count
        canApprove = run.status == .draft && run.createdBy != viewer
        waitsForSecondUser = run.status == .draft && run.createdBy == viewer
        canDiscard = run.status == .draft
        canResume = working
        approveAction = routes.billRunApprove.url(String(run.id))
        discardAction = routes.billRunDiscard.url(String(run.id))
        resumeAction = routes.billRunResume.url(String(run.id))
        self.notice = notice
        self.error = error
    }

    static func statusText(_ status: BillRun.Status) -> String {
        switch status {
        case .drafting: "Working out the bills"
        case .draft: "Draft: waiting for approval"
        case .approved: "Approved: issuing starts"
        case .issuing: "Issuing"
        case .issued: "Issued"
        case .discarded: "Discarded"
        }
    }
}
