/// Why an STS value could not be made or a token could not be read, in words for the person at the meter
/// or the vending desk.
public enum STSError: Error, Hashable, CustomStringConvertible {
    case tokenLength
    case tokenNotDigits
    case tokenOutOfRange
    case notForThisMeter
    case unsupportedToken
    case amountOutOfRange
    case identifierOutOfRange
    case dateOutOfRange(STSBaseDate)
    case invalidMeterNumber
    case invalidKeyParameter(String)
    case fieldOutOfRange(String)

    public var description: String {
        switch self {
        case .tokenLength: "A token has 20 digits."
        case .tokenNotDigits: "A token is made of digits only."
        case .tokenOutOfRange: "This is not a valid token: check the digits."
        case .notForThisMeter: "This token is not for this meter."
        case .unsupportedToken: "This kind of token is not supported."
        case .amountOutOfRange: "A token carries from 0 to 1,820,162.4 units."
        case .identifierOutOfRange: "A token identifier is at most 16,777,215 minutes."
        case .dateOutOfRange(let base):
            "Tokens counted from base date \(base.rawValue) can be issued from 1 January \(base.rawValue) "
                + "to 24 November \(base.rawValue + 31), 20:15 UTC."
        case .invalidMeterNumber: "A meter number (PAN) has 18 digits."
        case .invalidKeyParameter(let message), .fieldOutOfRange(let message): message
        }
    }
}
