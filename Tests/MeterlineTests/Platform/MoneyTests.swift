import Testing

@testable import Platform

@Suite("Money: minor units and the one rounding rule")
struct MoneyTests {
    @Test(
        "a half is rounded away from zero; anything less goes down",
        arguments: [
            (Int64(5), Int64(1), Int64(10), Int64(1)),  // 0.5 → 1
            (4, 1, 10, 0),  // 0.4 → 0
            (-5, 1, 10, -1),  // −0.5 → −1
            (-4, 1, 10, 0),
            (15, 1, 10, 2),  // 1.5 → 2
            (25, 1, 10, 3),  // 2.5 → 3: not banker's rounding
            (450, 3, 1, 1350),
            (45_025, 3, 10_000, 14),  // 4.5025 × 3 = 13.5075 → 13.51 in minor units of ten-thousandths
        ])
    func roundsHalfAwayFromZero(value: Int64, times: Int64, divisor: Int64, expected: Int64) throws {
        #expect(try Money.rounding(value, times: times, dividedBy: divisor) == Money(minorUnits: expected))
    }

    @Test("a product beyond 64 bits is worked in 128 bits; a result that does not fit is refused, not wrapped")
    func overflow() throws {
        #expect(try Money.rounding(Int64.max, times: 10_000, dividedBy: 10_000) == Money(minorUnits: .max))
        #expect(throws: MoneyOverflow.self) { try Money.rounding(Int64.max, times: 2, dividedBy: 1) }
    }

    @Test("amounts are shown with the currency's minor digits, grouped, with a true minus sign")
    func formatting() {
        let pound = Currency.poundSterling
        #expect(pound.format(Money(minorUnits: 123_456)) == "£1,234.56")
        #expect(pound.format(Money(minorUnits: 5)) == "£0.05")
        #expect(pound.format(Money(minorUnits: -40)) == "−£0.40")
        let yen = Currency(code: "JPY", minorDigits: 0, symbol: "¥")
        #expect(yen.format(Money(minorUnits: 1200)) == "¥1,200")
        let dinar = Currency(code: "KWD", minorDigits: 3)
        #expect(dinar.format(Money(minorUnits: 1_500)) == "KWD 1.500")
    }

    @Test("counts on finance pages are grouped like amounts: 872,931 bills")
    func groupedCounts() {
        #expect(DecimalText.grouped(872_931) == "872,931")
        #expect(DecimalText.grouped(999) == "999")
        #expect(DecimalText.grouped(0) == "0")
        #expect(DecimalText.grouped(-1_000) == "−1,000")
    }

    @Test("CSV amounts are plain numbers; a balance below zero reads as credit")
    func plainAndBalance() {
        let pound = Currency.poundSterling
        #expect(pound.plain(Money(minorUnits: 123_456)) == "1234.56")
        #expect(pound.plain(Money(minorUnits: -40)) == "-0.40")
        #expect(pound.balance(Money(minorUnits: 1_250)) == "£12.50")
        #expect(pound.balance(Money(minorUnits: -300)) == "in credit £3.00")
    }

    @Test("typed amounts are read exactly; more decimals than the currency has are refused")
    func parsing() {
        let pound = Currency.poundSterling
        #expect(pound.parse("1,234.5") == Money(minorUnits: 123_450))
        #expect(pound.parse("-12,345,678.90") == Money(minorUnits: -1_234_567_890))
        // A decimal comma is refused, never read as a thousands separator: "8,00" is not 800.
        #expect(pound.parse("8,00") == nil)
        #expect(pound.parse("0,12") == nil)
        #expect(pound.parse("1,2345") == nil)
        #expect(pound.parse("1.234,50") == nil)
        #expect(pound.parse("-3") == Money(minorUnits: -300))
        #expect(pound.parse(".75") == Money(minorUnits: 75))
        #expect(pound.parse("1.005") == nil)
        #expect(pound.parse("12a") == nil)
        #expect(pound.parse("") == nil)
        #expect(pound.parse("99999999999999999999") == nil)
        #expect(Currency(code: "JPY", minorDigits: 0).parse("1200.5") == nil)
    }
}
