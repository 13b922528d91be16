extension String {
    /// The text with its first letter capital, the rest as it is: "residential" → "Residential"
    /// (Foundation's `capitalized` would change every word).
    public var firstCapitalised: String { prefix(1).uppercased() + dropFirst() }
}
