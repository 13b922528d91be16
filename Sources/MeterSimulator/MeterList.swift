import Foundation
import MeterProtocol

/// The meters a simulation runs, one per line, tab-separated, as `meterline meters smart` prints
/// them: serial, category, register (kWh), time of the last reading the portal holds (seconds
/// since 1970), the premise's usual daily use in watt-hours of the register (empty when the
/// portal has too little history: the category's usual), and for a prepaid meter four more.
public struct MeterList: Sendable {
    public struct Entry: Sendable, Equatable {
        public let serial: String
        public let category: LoadCurve.Category
        public let kilowattHours: Int64
        public let lastRead: Date
        /// What the premise uses on an ordinary day, so that the simulation looks like its history.
        public var dailyWattHours: Double? = nil
        /// A prepaid meter's key settings (BL-8).
        public var prepaid: PrepaidProfile? = nil
    }

    /// What a prepaid meter's decoder key is made from, as the factory that personalised it knew.
    public struct PrepaidProfile: Sendable, Equatable {
        public let pan: String
        public let supplyGroup: String
        public let tariffIndex: Int
        public let keyRevision: Int
    }

    public let entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    public struct Unreadable: Error, CustomStringConvertible {
        public let line: Int
        public var description: String { "line \(line) is not: serial, category, register, last read (tab-separated)" }
    }

    public init(text: String) throws {
        var entries: [Entry] = []
        for (index, line) in text.split(separator: "\n").enumerated() where !line.isEmpty {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 4, let category = LoadCurve.Category(rawValue: String(fields[1])), let register = Int64(fields[2]),
                let lastRead = Double(fields[3])
            else { throw Unreadable(line: index + 1) }
            var entry = Entry(serial: String(fields[0]), category: category, kilowattHours: register, lastRead: Date(timeIntervalSince1970: lastRead))
            if fields.count >= 5, let daily = Double(fields[4]), daily > 0 { entry.dailyWattHours = daily }
            if fields.count >= 9, let tariff = Int(fields[7]), let revision = Int(fields[8]) {
                entry.prepaid = PrepaidProfile(pan: String(fields[5]), supplyGroup: String(fields[6]), tariffIndex: tariff, keyRevision: revision)
            }
            entries.append(entry)
        }
        self.entries = entries
    }

    /// `count` made-up meters (`prefix` and a number) starting from zero, for load tests.
    public static func generated(count: Int, prefix: String, at now: Date) -> MeterList {
        MeterList(
            entries: (1...max(count, 1)).prefix(count).map {
                Entry(serial: "\(prefix)\(String(format: "%07d", $0))", category: .residential, kilowattHours: 0, lastRead: now)
            })
    }

    /// The meters, keyed from `seed`; about one in fifty has its tamper switch open and one in a
    /// hundred has stopped counting, so that anomaly rules have something to find.
    /// With `portalKey`, meters take commands signed by it; with `vendingKey` (the factory's key,
    /// for a development simulation only), prepaid meters get their decoder keys from it.
    public func meters(seed: String, oddities: Bool, portalKey: Secp256k1.PublicKey? = nil, vendingKey: UInt64? = nil) -> [SimulatedMeter] {
        entries.enumerated().map { index, entry in
            let oddity: SimulatedMeter.Oddity = !oddities ? .none : index % 50 == 7 ? .tamper : index % 100 == 13 ? .stopped : .none
            let decoderKey = entry.prepaid.flatMap { profile in
                vendingKey.flatMap {
                    try? STSDecoderKey(
                        vendingKey: $0, keyType: 2, supplyGroupCode: profile.supplyGroup, tariffIndex: profile.tariffIndex,
                        keyRevision: profile.keyRevision, pan: profile.pan)
                }
            }
            return SimulatedMeter(
                serial: entry.serial, key: SimulatedMeter.key(seed: seed, serial: entry.serial),
                curve: LoadCurve(category: entry.category, dailyWattHours: entry.dailyWattHours),
                wattHours: Double(entry.kilowattHours) * 1000 + 500, since: entry.lastRead, oddity: oddity, portalKey: portalKey,
                decoderKey: decoderKey)
        }
    }
}
