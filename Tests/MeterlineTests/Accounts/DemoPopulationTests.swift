import Foundation
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("Demo data (OP-2)")
struct DemoPopulationTests {

    @Test("the demo town has every account metered, a year of readings that add up, and a few alerts; a second run adds nothing")
    func seed() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let population = DemoPopulation(database: db, chunkSize: 700)
            let first = try await population.seed(accounts: 2000)
            #expect(first.accounts == 1995)
            #expect(try await countRows("accounts", db) == 2000)
            #expect(try await countRows("meter_installations WHERE removed_on IS NULL", db) == 2000)
            #expect(first.readings >= 2000 * 12)
            #expect(first.alerts > 0)
            #expect(try await countRows("consumption_alerts", db) == first.alerts)
            // Each meter's readings add up: the units used sum to how far the register moved.
            let mismatched = try await countRows(
                """
                (SELECT i.id FROM meter_installations i JOIN meters m ON m.id = i.meter_id JOIN readings r ON r.installation_id = i.id
                 GROUP BY i.id, i.initial_reading, m.multiplier
                 HAVING sum(r.consumption) / m.multiplier % 1000000
                        <> ((array_agg(r.value ORDER BY r.read_on DESC))[1] - i.initial_reading + 1000000) % 1000000) AS bad
                """, db)
            #expect(mismatched == 0)
            // More is used in January than in July.
            let seasons = try await db.query(
                """
                SELECT avg(consumption) FILTER (WHERE extract(month FROM read_on) = 1) AS winter,
                       avg(consumption) FILTER (WHERE extract(month FROM read_on) = 7) AS summer
                FROM readings r JOIN accounts a ON a.id = r.account_id WHERE a.category = 'residential' AND r.kind = 'actual' AND r.flag IS NULL
                """
            ).rows[0]
            #expect(try seasons.decode("winter", as: Double.self) > seasons.decode("summer", as: Double.self))
            let again = try await population.seed(accounts: 2000)
            #expect(again.accounts == 0 && again.meters == 0)
            #expect(try await countRows("readings", db) == first.readings + 2000)
        }
    }

    @Test("the same number of accounts gives the same town")
    func deterministic() {
        #expect(DemoPopulation.account(at: 1234) == DemoPopulation.account(at: 1234))
        #expect(DemoPopulation.account(at: 1234) != DemoPopulation.account(at: 1235))
    }
}
