import Accounts
import Hummingbird
import Identity
import Metering
import Notifications
import Platform

/// An error whose words are meant for the person at the browser: the status, a title and a
/// sentence saying what happened and what to do. Anything else becomes a generic page.
public struct PageError: Error, Sendable, Equatable {
    public let status: HTTPResponse.Status
    public let heading: String
    public let message: String
    /// Seconds, for the Retry-After header of a 429 or 503.
    public var retryAfter: Int?

    public init(status: HTTPResponse.Status, heading: String, message: String, retryAfter: Int? = nil) {
        self.status = status
        self.heading = heading
        self.message = message
        self.retryAfter = retryAfter
    }

    public static func tooManyRequests(retryAfter seconds: Int) -> PageError {
        let wait = seconds < 90 ? "\(seconds) seconds" : "\((seconds + 59) / 60) minutes"
        return PageError(
            status: .tooManyRequests, heading: "Too many attempts",
            message: "There have been too many attempts from your connection. Nothing was changed. Please try again in \(wait).",
            retryAfter: seconds)
    }

    public static let csrfRefused = PageError(
        status: .forbidden, heading: "This form could not be accepted",
        message: "The form was missing its security token, had expired, or was sent from another site. "
            + "Nothing was changed. Go back, reload the page and try again.")

    public static let notFound = PageError(
        status: .notFound, heading: "Page not found",
        message: "There is no page at this address. Check the address, or start again from the home page.")

    static let badRequest = PageError(
        status: .badRequest, heading: "We could not read that request",
        message: "Part of what was sent could not be understood, so nothing was changed. Go back and try again.")

    static let nulCharacter = PageError(
        status: .badRequest, heading: "A field holds a character we cannot store",
        message: "Something you sent contains a NUL character (often copied from another program by accident). "
            + "Nothing was changed. Go back, retype the field and try again.")

    static let tooLarge = PageError(
        status: .contentTooLarge, heading: "That was too large",
        message: "What you sent is larger than we accept. Nothing was changed.")

    static let unavailable = PageError(
        status: .serviceUnavailable, heading: "Temporarily unavailable",
        message: "We cannot reach our records right now. Nothing was changed; please try again in a few minutes.",
        retryAfter: 30)

    static let busy = PageError(
        status: .serviceUnavailable, heading: "We are very busy",
        message: "This took longer than we allow, so we stopped. Nothing was changed; please try again in a moment.",
        retryAfter: 5)

    static let internalError = PageError(
        status: .internalServerError, heading: "Something went wrong on our side",
        message: "We could not finish this request and nothing was changed. Please try again; "
            + "if it keeps happening, tell us the reference below.")

    static let forbidden = PageError(
        status: .forbidden, heading: "Not allowed",
        message: "You do not have permission to do this.")

    static let methodNotAllowed = PageError(
        status: .methodNotAllowed, heading: "Not allowed here",
        message: "This address does not accept that kind of request.")

    /// The page for an error of Hummingbird's (routing, body limits, decoding) by its status alone:
    /// its own message may carry internal detail.
    static func forStatus(_ status: HTTPResponse.Status) -> PageError {
        switch status.code {
        case 404: notFound
        case 403: forbidden
        case 405: methodNotAllowed
        case 413: tooLarge
        case 400..<500: badRequest
        case 503: unavailable
        default: internalError
        }
    }
}

/// The model of `errors/show.mustache`.
struct ErrorShow: Page {
    static let template = "errors/show"
    var chrome = Chrome()
    let title: String
    let heading: String
    let message: String
    let status: Int
    let reference: String?
}
