import Foundation
import Testing

@testable import Billing
@testable import Platform

/// BL-1: a tariff version as an admin types it: the text of every demo tariff reads back as the
/// same rules, each mistake is named by its field and line, and sample bills show a change.
@Suite("Tariff versions as typed (BL-1)")
struct TariffDraftTests {
    let currency = Currency.poundSterling

    @Test("every demo tariff, written out as text, parses back to the same rules")
    func roundTrip() throws {
        for rules in [DemoBilling.residential, DemoBilling.commercial, DemoBilling.industrial] {
            let draft = TariffDraft(rules: rules, effectiveFrom: "2027-01-01", currency: currency)
            let parsed = try draft.parse(currency: currency).get()
            #expect(parsed.0 == CalendarDay("2027-01-01"))
            #expect(parsed.1 == rules)
            var typed = draft
            typed.blocks = draft.blocks.replacingOccurrences(of: "\n", with: "\r\n")
            #expect(try typed.parse(currency: currency).get().1 == rules, "CRLF line ends, as browsers send them")
        }
        let industrial = TariffDraft(rules: DemoBilling.industrial, effectiveFrom: "2027-01-01", currency: currency)
        #expect(industrial.blocks == "total 0 to 5000:\n2000 at 0.16\nabove at 0.14\ntotal 5001 or more:\nabove at 0.13")
        #expect(TariffDraft(rules: DemoBilling.commercial, effectiveFrom: "", currency: currency).fixedCharge == "up to 10 kW at 2.50\nabove at 3.00")
    }

    @Test("each mistake is named by its field and line, all at once")
    func mistakesByField() throws {
        var draft = TariffDraft(rules: DemoBilling.residential, effectiveFrom: "2027-02-30", currency: currency)
        // As a browser sends a textarea: CRLF line ends.
        draft.blocks = "100 at 0.12\r\n\r\n300 at twelve\r\nabove at 0.24"
        draft.surcharges = "Duty: 5% of subtotal"
        draft.fixedCharge = "eight pounds"
        draft.lateFee = "2 percent"
        draft.blockMode = "sideways"
        guard case .failure(let problems) = draft.parse(currency: currency) else {
            Issue.record("a draft full of mistakes parsed")
            return
        }
        #expect(problems.byField[.effectiveFrom]?.contains("YYYY-MM-DD") == true)
        #expect(problems.byField[.blocks]?.hasPrefix("Line 3:") == true)
        #expect(problems.byField[.surcharges]?.hasPrefix("Line 1:") == true)
        #expect(problems.byField[.fixedCharge] != nil)
        #expect(problems.byField[.lateFee] != nil)
        #expect(problems.byField[.blockMode] != nil)
        // Well-formed lines whose rules do not hold together come back as general problems.
        var gaps = TariffDraft(rules: DemoBilling.residential, effectiveFrom: "2027-01-01", currency: currency)
        gaps.blocks = "100 at 0.12\n300 at 0.18"
        guard case .failure(let rules) = gaps.parse(currency: currency) else {
            Issue.record("blocks without an open last block parsed")
            return
        }
        #expect(rules.general.contains("The blocks: the last block must have no upper limit."))
    }

    @Test("sample bills sit at each block boundary and price both versions with the calculator")
    func samplesAtBoundaries() throws {
        var dearer = DemoBilling.residential
        dearer.blockTables = [.init(blocks: [.init(upTo: 100, rate: Rate(minorUnits: 12)), .init(upTo: nil, rate: Rate(minorUnits: 30))])]
        let samples = try TariffPreview.samples(current: DemoBilling.residential, proposed: dearer)
        #expect(samples.map(\.units) == [0, 50, 100, 101, 1_000])
        let at100 = try #require(samples.first { $0.units == 100 })
        #expect(at100.current == at100.proposed, "the first block is unchanged")
        let at101 = try #require(samples.first { $0.units == 101 })
        #expect(at101.proposed > at101.current!)
        // Zero use pays the fixed charge and its VAT: £8.00 + 5% = £8.40.
        #expect(samples[0].proposed == Money(minorUnits: 840))
        #expect(try TariffPreview.samples(current: nil, proposed: dearer).allSatisfy { $0.current == nil })
    }

    @Test("absurd amounts, negative surcharges and decimal commas are refused, not priced or misread")
    func boundsAndCommas() throws {
        func problems(_ change: (inout TariffDraft) -> Void) -> TariffDraft.Problems? {
            var draft = TariffDraft(rules: DemoBilling.residential, effectiveFrom: "2027-01-01", currency: currency)
            change(&draft)
            if case .failure(let problems) = draft.parse(currency: currency) { return problems }
            return nil
        }
        #expect(problems { $0.blocks = "9223372036854775807 at 0.10\nabove at 0.20" }?.general.isEmpty == false)
        #expect(problems { $0.blocks = "total 0 to 9223372036854775807:\nabove at 0.10\ntotal 9223372036854775808 or more:\nabove at 0.2" } != nil)
        #expect(problems { $0.fixedCharge = "92233720368547758.07 a month" } != nil)
        #expect(problems { $0.surcharges = "Duty: -5% of energy" }?.general.isEmpty == false)
        #expect(problems { $0.surcharges = "Duty: 5000% of energy" }?.general.isEmpty == false)
        #expect(problems { $0.surcharges = "Meter rent: -3.00 a month" }?.general.isEmpty == false)
        #expect(problems { $0.lateFee = "500%" }?.general.isEmpty == false)
        #expect(problems { $0.blocks = "100 at 0,12\nabove at 0.24" }?.byField[.blocks] != nil)
        #expect(problems { $0.fixedCharge = "8,00 a month" }?.byField[.fixedCharge] != nil)
        #expect(problems { $0.fixedCharge = "1,008.00 a month" } == nil)
    }
}
