import Platform

extension TariffRules {
    /// The rules as an admin or a consumer reads them, one sentence a part.
    public func sentences(in currency: Currency) -> [String] {
        var sentences: [String] = []
        let mode =
            blockMode == .telescopic
            ? "Each block's units at the block's own rate" : "Every unit at the rate of the block the month's total falls in"
        sentences.append(mode + (dayScalingBasisDays.map { "; blocks are for \($0) days and scale with the bill's days." } ?? "."))
        for table in blockTables {
            let blocks = zip(table.blocks, [Int64(0)] + table.blocks.compactMap(\.upTo)).map { block, lower in
                "\(TariffCalculator.blockLabel(lower: lower, upper: block.upTo).lowercased()) at \(block.rate.text(in: currency))"
            }
            let range =
                blockTables.count == 1
                ? "" : "For a month's total of \(table.fromTotal)\(table.toTotal.map { "–\($0)" } ?? " or more") units: "
            let text = blocks.joined(separator: ", ") + "."
            sentences.append(range.isEmpty ? text.firstCapitalised : range + text)
        }
        switch fixedCharge {
        case .flat(let monthly)?: sentences.append("Fixed charge \(currency.format(monthly)) a month.")
        case .perKilowatt(let bands)?:
            let parts = zip(bands, [Int64(0)] + bands.compactMap(\.upToTenthsKW)).map { band, lower -> String in
                let kilowatts = { (tenths: Int64) in DecimalText.format(tenths.magnitude, fractionDigits: 1, minimumFractionDigits: 0) }
                let range = band.upToTenthsKW.map { "up to \(kilowatts($0)) kW" } ?? (lower == 0 ? "any load" : "above \(kilowatts(lower)) kW")
                return "\(band.ratePerKW.text(in: currency)) per kW for \(range)"
            }
            sentences.append("Fixed charge per kW of sanctioned load a month: " + parts.joined(separator: ", ") + ".")
        case nil: break
        }
        if let minimum = minimumCharge { sentences.append("Minimum charge \(currency.format(minimum)) a month.") }
        for surcharge in surcharges {
            switch surcharge.amount {
            case .percent(let percentage, let base): sentences.append("\(surcharge.name): \(percentage.text) of \(Self.words(base)).")
            case .fixed(let monthly): sentences.append("\(surcharge.name): \(currency.format(monthly)) a month.")
            }
        }
        for tax in taxes { sentences.append("\(tax.name): \(tax.percentage.text) of \(Self.words(tax.base)).") }
        switch lateFee {
        case .fixed(let amount)?: sentences.append("Late fee \(currency.format(amount)) on a bill unpaid after its due date and the grace days.")
        case .percentOfBill(let percentage)?:
            sentences.append("Late fee \(percentage.text) of what is unpaid on a bill after its due date and the grace days.")
        case nil: break
        }
        return sentences
    }

    static func words(_ base: Base) -> String {
        switch base {
        case .energy: "the energy charge"
        case .energyAndFixed: "the energy and fixed charges"
        case .subtotal: "everything before taxes"
        }
    }
}
