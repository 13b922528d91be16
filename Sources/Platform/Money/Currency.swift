/// The deployment's one currency: its ISO code, how many minor digits it has (2 for pounds and
/// dollars, 0 for yen-like currencies, 3 for dinars), and the symbol pages show.
public struct Currency: Sendable, Equatable {
    public let code: String
    public let minorDigits: Int
    public let symbol: String

    public init(code: String, minorDigits: Int, symbol: String? = nil) {
        precondition((0...4).contains(minorDigits), "a currency has 0 to 4 minor digits")
        self.code = code
        self.minorDigits = minorDigits
        self.symbol = symbol ?? code + " "
    }

    public static let poundSterling = Currency(code: "GBP", minorDigits: 2, symbol: "£")

    /// "£1,234.56", "−£0.40", "¥1,200" for a zero-decimal currency.
    public func format(_ amount: Money) -> String {
        let digits = DecimalText.format(amount.minorUnits.magnitude, fractionDigits: minorDigits, grouped: true)
        return (amount.isNegative ? "−" : "") + symbol + digits
    }

    /// "1234.56", "-0.40": for CSV files, which spreadsheets read as numbers.
    public func plain(_ amount: Money) -> String {
        (amount.isNegative ? "-" : "") + DecimalText.format(amount.minorUnits.magnitude, fractionDigits: minorDigits)
    }

    /// A balance as a consumer reads it: "£12.50" owed, or "in credit £3.00".
    public func balance(_ amount: Money) -> String {
        amount.isNegative ? "in credit " + format(-amount) : format(amount)
    }

    /// An amount as typed: "1234.5", "1,234.56", "-3"; at most `minorDigits` decimals. Nil when
    /// it is not a number of this currency.
    public func parse(_ text: String) -> Money? {
        DecimalText.parse(text, fractionDigits: minorDigits).map(Money.init(minorUnits:))
    }
}
