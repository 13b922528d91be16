import Prepaid

/// A token on a page: its digits in groups, what it carries, and where it stands with the meter.
struct TokenLine: Encodable, Sendable {
    let kind: String
    let digits: String
    let energy: String?
    let meter: String
    let issued: String?
    let delivery: String
    let accepted: Bool
    let refused: Bool
    /// Passed to the meter, its answer due in seconds (the receipt page looks again until then).
    let onItsWay: Bool

    init(_ token: PrepaidToken) {
        kind =
            switch token.kind {
            case .credit: "Credit"
            case .emergency: "Emergency credit"
            case .keyChange: "Key change (type this first)"
            }
        digits = token.grouped
        energy = token.kind == .keyChange ? nil : token.energy
        meter = token.meterSerial
        issued = token.issuedText
        (delivery, accepted, refused, onItsWay) =
            switch token.delivery {
            case .typeIn: ("Type it on the meter's keypad.", false, false, false)
            case .waiting: ("Not yet passed to the meter (it must be connected); you can also type it on the keypad.", false, false, false)
            case .sent: ("Sent to the meter; waiting for its answer.", false, false, true)
            case .accepted(let answer): ("The meter accepted it: \(answer)", true, false, false)
            case .refused(let answer): ("The meter refused it: \(answer)", false, true, false)
            }
    }
}
