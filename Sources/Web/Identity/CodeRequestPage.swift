import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// Every "text me a code" button for a typed login ends the same way: the same page again, with
/// the same notice, whether a code went out, was refused as too soon or too many, or the login
/// does not exist. A different answer for a refusal would tell a stranger the login exists.
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
        page.notice = notice + " A new code can be asked for once a minute."
        do {
            try await send()
        } catch is OneTimeCodes.IssueRefusal {
            // Answered exactly as a code sent: see above.
        }
        return try response(page)
    }
}
