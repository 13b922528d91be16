import Foundation
import Platform

/// BL-5: finance checks the gateway's settlement file against what Meterline credited. The file
/// is CSV with a header: `checkout,amount,date` (the gateway's checkout id, the amount as money,
/// the day it settled, YYYY-MM-DD). Payments credited online between the file's first and last
/// day are compared with its lines: matched, paid a different amount, credited here but missing
/// from the file, and in the file but never credited here (unexpected). Nothing is changed.
public struct ReconcileSettlement: Sendable {
    let database: Database
    let gatewayName: String
    let currency: Currency

    public init(database: Database, gatewayName: String, currency: Currency) {
        self.database = database
        self.gatewayName = gatewayName
        self.currency = currency
    }

    public struct LineProblem: Sendable, Equatable {
        public let line: Int
        public let message: String
    }

    public enum Refused: Error, Equatable, CustomStringConvertible {
        case empty
        case header
        case lines([LineProblem])
        case tooLarge

        public var description: String {
            switch self {
            case .empty: "The file has no settlement lines."
            case .header: "The first line must name the columns: checkout,amount,date."
            case .lines(let problems): "\(problems.count) \(problems.count == 1 ? "line needs" : "lines need") fixing; nothing was compared."
            case .tooLarge: "The file has more than 100,000 lines; split it by day."
            }
        }
    }

    public struct Entry: Sendable, Equatable {
        public let checkout: String
        public let accountNumber: String?
        public let receiptNumber: String?
        /// What Meterline credited, and what the file says; either may be missing.
        public let credited: Money?
        public let settled: Money?
        public let settledOn: String?
    }

    public struct Result: Sendable, Equatable {
        public let from: CalendarDay
        public let to: CalendarDay
        public let matched: [Entry]
        public let differentAmount: [Entry]
        /// Credited here between the file's first and last day, not in the file.
        public let missing: [Entry]
        /// In the file, never credited here (unknown, pending, failed or reversed).
        public let unexpected: [Entry]
    }

    public func run(csv text: String) async throws -> Result {
        let text = text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
        let records: [CSVReader.Record]
        do { records = try CSVReader.records(text) } catch let malformed as CSVReader.Malformed {
            throw Refused.lines([LineProblem(line: malformed.line, message: "A quote is not closed.")])
        }
        guard let header = records.first else { throw Refused.empty }
        guard header.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) == ["checkout", "amount", "date"] else {
            throw Refused.header
        }
        let lines = records.dropFirst().filter { !($0.fields.count == 1 && $0.fields[0].isEmpty) }
        guard !lines.isEmpty else { throw Refused.empty }
        guard lines.count <= 100_000 else { throw Refused.tooLarge }
        var problems: [LineProblem] = []
        var settled: [String: (Money, CalendarDay)] = [:]
        for record in lines {
            guard record.fields.count == 3 else {
                problems.append(LineProblem(line: record.line, message: "Expected 3 fields (checkout, amount, date), found \(record.fields.count)."))
                continue
            }
            let checkout = record.fields[0].trimmingCharacters(in: .whitespaces)
            guard !checkout.isEmpty, checkout.unicodeScalars.count <= 200, !checkout.unicodeScalars.contains("\0") else {
                problems.append(LineProblem(line: record.line, message: "The checkout id is missing or not readable."))
                continue
            }
            guard let amount = currency.parse(record.fields[1]) else {
                problems.append(LineProblem(line: record.line, message: "'\(record.fields[1].prefix(30))' is not an amount such as 12.50."))
                continue
            }
            guard let day = CalendarDay(record.fields[2].trimmingCharacters(in: .whitespaces)) else {
                problems.append(LineProblem(line: record.line, message: "'\(record.fields[2].prefix(30))' is not a date as YYYY-MM-DD."))
                continue
            }
            guard settled[checkout] == nil else {
                problems.append(LineProblem(line: record.line, message: "Checkout \(checkout) is listed twice."))
                continue
            }
            settled[checkout] = (amount, day)
        }
        guard problems.isEmpty else { throw Refused.lines(problems) }
        let days = settled.values.map(\.1)
        let from = days.min()!
        let to = days.max()!
        let checkouts = TextList(Array(settled.keys))
        // What Meterline holds for the file's checkouts, and what it credited in its days.
        let rows = try await database.query(
            """
            SELECT p.checkout_id, p.amount, p.status, p.receipt_number, a.account_number,
                   p.checkout_id = ANY (\(checkouts)::text[]) AS listed
            FROM payments p JOIN accounts a ON a.id = p.account_id
            WHERE p.gateway = \(gatewayName)
              AND (p.checkout_id = ANY (\(checkouts)::text[])
                   OR (p.status = 'succeeded' AND p.credited_at::date BETWEEN \(from.description)::date AND \(to.description)::date))
            """
        ).rows
        var matched: [Entry] = []
        var different: [Entry] = []
        var missing: [Entry] = []
        var known: Set<String> = []
        for row in rows {
            let checkout: String = try row.decode("checkout_id")
            let status: String = try row.decode("status")
            let amount = Money(minorUnits: try row.decode("amount"))
            guard let (settledAmount, day) = settled[checkout] else {
                missing.append(
                    Entry(
                        checkout: checkout, accountNumber: try row.decode("account_number"), receiptNumber: try row.decode("receipt_number"),
                        credited: amount, settled: nil, settledOn: nil))
                continue
            }
            guard status == "succeeded" else { continue }
            known.insert(checkout)
            let entry = Entry(
                checkout: checkout, accountNumber: try row.decode("account_number"), receiptNumber: try row.decode("receipt_number"),
                credited: amount, settled: settledAmount, settledOn: day.description)
            if amount == settledAmount { matched.append(entry) } else { different.append(entry) }
        }
        let unexpected = settled.filter { !known.contains($0.key) }.map {
            Entry(checkout: $0.key, accountNumber: nil, receiptNumber: nil, credited: nil, settled: $0.value.0, settledOn: $0.value.1.description)
        }
        let byCheckout: (Entry, Entry) -> Bool = { ($0.settledOn ?? "", $0.checkout) < ($1.settledOn ?? "", $1.checkout) }
        return Result(
            from: from, to: to, matched: matched.sorted(by: byCheckout), differentAmount: different.sorted(by: byCheckout),
            missing: missing.sorted { $0.checkout < $1.checkout }, unexpected: unexpected.sorted(by: byCheckout))
    }
}
