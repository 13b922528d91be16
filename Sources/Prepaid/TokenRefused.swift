/// Why a token could not be issued, in words for the person at the vending desk or on the site.
public enum TokenRefused: Error, Equatable, CustomStringConvertible {
    case noVendingKey
    case notPrepaid
    case amount(String)
    case tooSoon(days: Int)
    case keyUnavailable
    case unavailable(String)

    public var description: String {
        switch self {
        case .noVendingKey: "No vending key is loaded yet: an engineer loads one first."
        case .notPrepaid: "This meter is not a prepaid meter in service."
        case .amount(let why): why
        case .tooSoon(let days): "This meter had an emergency token in the last \(days) days."
        case .keyUnavailable: "The vending key for this meter cannot be opened: check SECRET_KEY, or load the key again."
        case .unavailable: "Tokens cannot be issued just now; try again in a minute."
        }
    }
}
