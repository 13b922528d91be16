import Hummingbird

/// Every "text me a code" button ends the same way: the same page again, with a notice that the
/// code is on its way, or with the refusal (429) when codes are asked for too soon or too often.
protocol CodeRequestPage: Page {
    var notice: String? { get set }
    var codeError: String? { get set }
}

extension IdentityVerify: CodeRequestPage {}
extension IdentityUnlock: CodeRequestPage {}
extension IdentityCodeLogin: CodeRequestPage {}
extension IdentityRecover: CodeRequestPage {}
extension IdentityReactivate: CodeRequestPage {}

extension PageRenderer {
    func afterCodeRequest<P: CodeRequestPage>(
        _ page: P, notice: String, send: () async throws -> Void
    ) async throws -> Response {
        var page = page
        do {
            try await send()
            page.notice = notice
            return try response(page)
        } catch let refusal as OneTimeCodes.IssueRefusal {
            page.codeError = refusal.description
            return try response(page, status: .tooManyRequests)
        }
    }
}
