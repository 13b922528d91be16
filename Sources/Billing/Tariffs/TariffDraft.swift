import Foundation
import Platform

/// A new tariff version as an admin types it (BL-1): each part in lines close to a tariff order's
/// wording ("100 at 0.12", "VAT: 5% of subtotal"), prefilled from the version in force. `parse`
/// turns it into rules, naming the field and line of each mistake.
public struct TariffDraft: Sendable, Equatable {
    public var effectiveFrom: String
    public var note: String
    public var blockMode: String
    public var dayBasis: String
    public var blocks: String
    public var fixedCharge: String
    public var minimumCharge: String
    public var surcharges: String
    public var taxes: String
    public var lateFee: String

    public enum Field: String, Sendable, CaseIterable {
        case effectiveFrom, note, blockMode, dayBasis, blocks, fixedCharge, minimumCharge, surcharges, taxes, lateFee
    }

    /// What is wrong, by field; `general` holds what concerns the rules as a whole.
    public struct Problems: Error, Sendable, Equatable {
        public var byField: [Field: String] = [:]
        public var general: [String] = []
        public var isEmpty: Bool { byField.isEmpty && general.isEmpty }
        public init() {}
    }

    public init(
        effectiveFrom: String = "", note: String = "", blockMode: String = "", dayBasis: String = "", blocks: String = "",
        fixedCharge: String = "", minimumCharge: String = "", surcharges: String = "", taxes: String = "", lateFee: String = ""
    ) {
        self.effectiveFrom = effectiveFrom
        self.note = note
        self.blockMode = blockMode
        self.dayBasis = dayBasis
        self.blocks = blocks
        self.fixedCharge = fixedCharge
        self.minimumCharge = minimumCharge
        self.surcharges = surcharges
        self.taxes = taxes
        self.lateFee = lateFee
    }

    /// The text of existing rules, to start a new version from.
    public init(rules: TariffRules, effectiveFrom: String, currency: Currency) {
        func rate(_ rate: Rate) -> String {
            DecimalText.format(
                rate.tenThousandthsOfMinorUnit.magnitude, fractionDigits: currency.minorDigits + Rate.extraDigits,
                minimumFractionDigits: currency.minorDigits
            ).signed(rate.tenThousandthsOfMinorUnit)
        }
        func money(_ amount: Money) -> String { currency.plain(amount) }
        func kilowatts(_ tenths: Int64) -> String { DecimalText.format(tenths.magnitude, fractionDigits: 1, minimumFractionDigits: 0) }
        var blockLines: [String] = []
        for table in rules.blockTables {
            if rules.blockTables.count > 1 {
                blockLines.append("total \(table.fromTotal)" + (table.toTotal.map { " to \($0):" } ?? " or more:"))
            }
            for block in table.blocks { blockLines.append("\(block.upTo.map(String.init) ?? "above") at \(rate(block.rate))") }
        }
        let fixed: String =
            switch rules.fixedCharge {
            case .flat(let monthly)?: "\(money(monthly)) a month"
            case .perKilowatt(let bands)?:
                bands.map { "\($0.upToTenthsKW.map { "up to \(kilowatts($0)) kW" } ?? "above") at \(rate($0.ratePerKW))" }
                    .joined(separator: "\n")
            case nil: ""
            }
        let surchargeLines = rules.surcharges.map { surcharge in
            switch surcharge.amount {
            case .percent(let percentage, let base): "\(surcharge.name): \(percentage.text) of \(Self.baseWords[base]!)"
            case .fixed(let monthly): "\(surcharge.name): \(money(monthly)) a month"
            }
        }
        let late: String =
            switch rules.lateFee {
            case .percentOfBill(let percentage)?: percentage.text
            case .fixed(let amount)?: money(amount)
            case nil: ""
            }
        self.init(
            effectiveFrom: effectiveFrom, blockMode: rules.blockMode.rawValue, dayBasis: rules.dayScalingBasisDays.map(String.init) ?? "",
            blocks: blockLines.joined(separator: "\n"), fixedCharge: fixed, minimumCharge: rules.minimumCharge.map(money) ?? "",
            surcharges: surchargeLines.joined(separator: "\n"),
            taxes: rules.taxes.map { "\($0.name): \($0.percentage.text) of \(Self.baseWords[$0.base]!)" }.joined(separator: "\n"),
            lateFee: late)
    }

    /// Names this exact text: a save must carry the fingerprint of the draft that was previewed,
    /// so what is saved is what the admin saw sample bills for.
    public var fingerprint: String {
        let fields = [effectiveFrom, note, blockMode, dayBasis, blocks, fixedCharge, minimumCharge, surcharges, taxes, lateFee]
        return Base64URL.encode(Digest.sha256(fields.map { $0.replacingOccurrences(of: "\r\n", with: "\n") }.joined(separator: "\u{1F}")))
    }

    static let baseWords: [TariffRules.Base: String] = [.energy: "energy", .energyAndFixed: "energy and fixed", .subtotal: "subtotal"]

    /// The day the version starts and its rules, or every problem at once.
    public func parse(currency: Currency) -> Result<(CalendarDay, TariffRules), Problems> {
        var problems = Problems()
        let day = CalendarDay(effectiveFrom)
        if day == nil { problems.byField[.effectiveFrom] = "Give the first day the version applies, as YYYY-MM-DD." }
        if note.count > 200 { problems.byField[.note] = "Keep the note under 200 characters." }
        let mode = TariffRules.BlockMode(rawValue: blockMode)
        if mode == nil { problems.byField[.blockMode] = "Choose how blocks are priced." }
        var basis: Int?
        if !dayBasis.trimmed.isEmpty {
            basis = Int(dayBasis.trimmed)
            if basis == nil || !(1...366).contains(basis!) {
                problems.byField[.dayBasis] = "Give the days blocks are set for (30, say), or leave it empty."
            }
        }
        let tables = parseBlocks(currency, &problems)
        let fixed = parseFixedCharge(currency, &problems)
        var minimum: Money?
        if !minimumCharge.trimmed.isEmpty {
            minimum = currency.parse(minimumCharge.trimmed)
            if minimum == nil { problems.byField[.minimumCharge] = "Give the minimum as an amount, such as 25.00, or leave it empty." }
        }
        let surcharges = parseSurcharges(currency, &problems)
        let taxes = parseTaxes(&problems)
        var late: TariffRules.LateFee?
        let lateText = lateFee.trimmed
        if !lateText.isEmpty {
            if lateText.hasSuffix("%"), let percentage = Percentage(String(lateText.dropLast()).trimmed) {
                late = .percentOfBill(percentage)
            } else if let amount = currency.parse(lateText) {
                late = .fixed(amount)
            } else {
                problems.byField[.lateFee] = "Give the late fee as a percentage (2%) or an amount (5.00), or leave it empty."
            }
        }
        guard problems.isEmpty, let day, let mode else { return .failure(problems) }
        let rules = TariffRules(
            blockMode: mode, dayScalingBasisDays: basis, blockTables: tables, fixedCharge: fixed, minimumCharge: minimum,
            surcharges: surcharges, taxes: taxes, lateFee: late)
        problems.general = rules.problems()
        return problems.isEmpty ? .success((day, rules)) : .failure(problems)
    }

    private func parseBlocks(_ currency: Currency, _ problems: inout Problems) -> [TariffRules.BlockTable] {
        var tables: [TariffRules.BlockTable] = []
        for (number, line) in lines(blocks) {
            let words = line.lowercased().split(separator: " ").map(String.init)
            if words.first == "total" {
                // "total 0 to 500:" or "total 501 or more:"
                let cleaned = words.map { $0.replacingOccurrences(of: ":", with: "") }
                if cleaned.count == 4, let from = Int64(cleaned[1]), cleaned[2] == "to", let to = Int64(cleaned[3]) {
                    tables.append(.init(fromTotal: from, toTotal: to, blocks: []))
                } else if cleaned.count == 4, let from = Int64(cleaned[1]), cleaned[2] == "or", cleaned[3] == "more" {
                    tables.append(.init(fromTotal: from, toTotal: nil, blocks: []))
                } else {
                    problems.byField[.blocks] = "Line \(number): write a table's range as ‘total 0 to 500:’ or ‘total 501 or more:’."
                    return []
                }
                continue
            }
            guard words.count == 3, words[1] == "at", let rate = Rate(words[2], currency: currency),
                words[0] == "above" || Int64(words[0]) != nil
            else {
                problems.byField[.blocks] =
                    "Line \(number): write a block as ‘100 at 0.12’ (units up to, then the rate per unit), or ‘above at 0.24’ for the last."
                return []
            }
            if tables.isEmpty { tables.append(.init(blocks: [])) }
            tables[tables.count - 1].blocks.append(.init(upTo: Int64(words[0]), rate: rate))
        }
        if tables.isEmpty { problems.byField[.blocks] = "Give at least one block, such as ‘above at 0.20’." }
        return tables
    }

    private func parseFixedCharge(_ currency: Currency, _ problems: inout Problems) -> TariffRules.FixedCharge? {
        let all = lines(fixedCharge)
        guard !all.isEmpty else { return nil }
        if all.count == 1, !all[0].line.lowercased().contains(" at ") {
            let amount = all[0].line.lowercased().replacingOccurrences(of: "a month", with: "").trimmed
            guard let monthly = currency.parse(amount) else {
                problems.byField[.fixedCharge] = "Give a fixed amount a month (8.00), or bands per kW such as ‘up to 10 kW at 2.50’."
                return nil
            }
            return .flat(monthly: monthly)
        }
        var bands: [TariffRules.LoadBand] = []
        for (number, line) in all {
            let words = line.lowercased().split(separator: " ").map(String.init)
            if words.count == 3, words[0] == "above", words[1] == "at", let rate = Rate(words[2], currency: currency) {
                bands.append(.init(upToTenthsKW: nil, ratePerKW: rate))
            } else if words.count == 6, words[0] == "up", words[1] == "to", let tenths = DecimalText.parse(words[2], fractionDigits: 1),
                words[3] == "kw", words[4] == "at", let rate = Rate(words[5], currency: currency)
            {
                bands.append(.init(upToTenthsKW: tenths, ratePerKW: rate))
            } else {
                problems.byField[.fixedCharge] =
                    "Line \(number): write a band as ‘up to 10 kW at 2.50’ (a month per kW), or ‘above at 3.00’ for the last."
                return nil
            }
        }
        return .perKilowatt(bands: bands)
    }

    /// "Name: 5% of energy" (or "of energy and fixed"), or "Name: 3.00 a month".
    private func parseSurcharges(_ currency: Currency, _ problems: inout Problems) -> [TariffRules.Surcharge] {
        var surcharges: [TariffRules.Surcharge] = []
        for (number, line) in lines(self.surcharges) {
            let (name, rest) = split(line)
            if let (percentage, base) = percentOfBase(rest), base != .subtotal {
                surcharges.append(.init(name: name, amount: .percent(percentage, of: base)))
            } else if rest.lowercased().hasSuffix("a month"), let monthly = currency.parse(String(rest.dropLast(7)).trimmed) {
                surcharges.append(.init(name: name, amount: .fixed(monthly: monthly)))
            } else {
                problems.byField[.surcharges] =
                    "Line \(number): write ‘Electricity duty: 5% of energy’ (or ‘of energy and fixed’), or ‘Meter rent: 3.00 a month’."
                return []
            }
            if name.isEmpty { problems.byField[.surcharges] = "Line \(number): give the surcharge a name before the colon." }
        }
        return surcharges
    }

    /// "VAT: 5% of subtotal" (or "of energy", "of energy and fixed").
    private func parseTaxes(_ problems: inout Problems) -> [TariffRules.Tax] {
        var taxes: [TariffRules.Tax] = []
        for (number, line) in lines(self.taxes) {
            let (name, rest) = split(line)
            guard !name.isEmpty, let (percentage, base) = percentOfBase(rest) else {
                problems.byField[.taxes] = "Line \(number): write a tax as ‘VAT: 5% of subtotal’ (or ‘of energy’, ‘of energy and fixed’)."
                return []
            }
            taxes.append(.init(name: name, percentage: percentage, base: base))
        }
        return taxes
    }

    private func percentOfBase(_ text: String) -> (Percentage, TariffRules.Base)? {
        let parts = text.components(separatedBy: "% of ")
        guard parts.count == 2, let percentage = Percentage(parts[0].trimmed),
            let base = Self.baseWords.first(where: { $0.value == parts[1].trimmed.lowercased() })?.key
        else { return nil }
        return (percentage, base)
    }

    private func split(_ line: String) -> (name: String, rest: String) {
        guard let colon = line.firstIndex(of: ":") else { return ("", line) }
        return (String(line[..<colon]).trimmed, String(line[line.index(after: colon)...]).trimmed)
    }

    /// Non-empty lines with their numbers as the admin sees them. Browsers send a textarea's lines
    /// with CRLF, which Swift reads as one Character: split on any newline Character.
    private func lines(_ text: String) -> [(number: Int, line: String)] {
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated().compactMap { index, line in
            let trimmed = String(line).trimmed
            return trimmed.isEmpty ? nil : (index + 1, trimmed)
        }
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }

    /// A leading minus for a negative value's digits.
    fileprivate func signed(_ value: Int64) -> String { value < 0 ? "-" + self : self }
}
