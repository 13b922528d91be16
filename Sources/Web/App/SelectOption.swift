/// One `<option>` of a select on a page: its value, what it says, and whether it is chosen.
struct SelectOption: Encodable, Sendable {
    let value: String
    let label: String
    var selected: Bool
}
