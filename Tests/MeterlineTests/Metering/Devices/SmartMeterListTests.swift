import Foundation
import Testing

@testable import MeterSimulator
@testable import Metering
@testable import Platform

@Suite("The simulator's list of smart meters (BR-4)")
struct SmartMeterListTests {
    @Test("each meter comes with its register, last reading and its premise's usual daily use, which the simulation then follows")
    func usualUseTravelsToTheSimulator() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let meter = try await TestSmartMeter.install(db)
            let store = StoreDeviceMessages(database: db, highUseFactor: 3)
            // Installed at 1,000 sixty days ago; 300 units in the next 30 days, 200 in the 20 after: ten a day.
            _ = try await store.store(
                Array((meter.reading(1, kWh: 1300, daysAgo: 30) + meter.reading(2, kWh: 1500, daysAgo: 10)).utf8))
            let text = try await SmartMeterList(database: db).list(limit: 10)
            let fields = text.split(separator: "\n")[0].split(separator: "\t").map(String.init)
            #expect(fields[0] == TestSmartMeter.serial && fields[1] == "residential" && fields[2] == "1500")
            #expect(fields[4] == "10000")
            let entry = try #require(try MeterList(text: text).entries.first)
            #expect(entry.dailyWattHours == 10_000 && entry.prepaid == nil)
            let simulated = try #require(MeterList(entries: [entry]).meters(seed: "test", oddities: false).first)
            #expect(await simulated.curve.dailyWattHours == 10_000)
        }
    }
}
