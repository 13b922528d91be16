import Testing

@testable import Billing
@testable import Platform

@Suite("Tariffs in words (BL-1)")
struct TariffWordsTests {
    @Test("a tariff version reads as sentences: blocks, fixed charge, surcharges, taxes, late fee")
    func residential() {
        let sentences = DemoBilling.residential.sentences(in: .poundSterling)
        #expect(
            sentences == [
                "Each block's units at the block's own rate; blocks are for 30 days and scale with the bill's days.",
                "First 100 units at £0.12, units 101–300 at £0.18, units above 300 at £0.24.",
                "Fixed charge £8.00 a month.",
                "Electricity duty: 5% of the energy charge.",
                "VAT: 5% of everything before taxes.",
                "Late fee £5.00 on a bill unpaid after its due date and the grace days.",
            ])
    }

    @Test("tables chosen by total and per-kW bands say their ranges")
    func industrial() {
        let sentences = DemoBilling.industrial.sentences(in: .poundSterling)
        #expect(sentences.contains("For a month's total of 0–5000 units: first 2000 units at £0.16, units above 2000 at £0.14."))
        #expect(sentences.contains("For a month's total of 5001 or more units: all units at £0.13."))
        #expect(sentences.contains("Fixed charge per kW of sanctioned load a month: £4.00 per kW for any load."))
    }
}
