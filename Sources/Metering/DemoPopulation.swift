import Accounts
import Foundation
import Identity
import Notifications
import Platform

/// OP-2: `meterline seed --demo --accounts N` fills a town: N accounts in all (the five named
/// demo accounts among them), each with a meter installed over a year ago and a reading at the
/// end of every month since, following the seasons (more in winter), with a few spikes and
/// silent meters that raised alerts. Bulk rows go in with COPY, in chunks, with progress printed.
/// Everything is derived from the account's position, so the same N gives the same town.
public struct DemoPopulation: Sendable {
    public let database: Database
    public let chunkSize: Int

    public init(database: Database, chunkSize: Int = 20_000) {
        self.database = database
        self.chunkSize = chunkSize
    }

    public struct Summary: Sendable {
        public var accounts = 0
        public var meters = 0
        public var readings = 0
        public var alerts = 0
        public var seconds = 0.0
    }

    /// The first generated account number; the named demo accounts sit below it.
    public static let firstNumber = 400_000_000

    public func seed(accounts total: Int, progress: (String) -> Void = { _ in }) async throws -> Summary {
        let started = Date()
        var summary = Summary()
        try await DemoAccounts.seed(database)
        let generated = max(0, total - DemoAccounts.accounts.count)
        // Running again adds only what is missing.
        let existing: Int64? = try await database.query(
            "SELECT max(account_number::bigint) AS n FROM accounts WHERE account_number LIKE '4________' AND length(account_number) = 9"
        ).rows[0].decode("n")
        var index = existing.map { Int($0) - Self.firstNumber + 1 } ?? 0
        if index > 0 { progress("\(index) generated accounts exist already") }
        while index < generated {
            let count = min(chunkSize, generated - index)
            let first = index
            summary.accounts += try await database.transaction { connection in
                try connection.copyIn(
                    "COPY accounts (account_number, holder_name, supply_address, area, category, billing_type, mobile_on_file) FROM STDIN",
                    rows: (first..<first + count).lazy.map { Self.account(at: $0) })
            }
            index += count
            progress("accounts \(index)/\(generated)")
        }
        // Meters and a year of readings for every account that has no meter yet.
        while true {
            let done = try await database.transaction { connection -> (meters: Int, readings: Int, alerts: Int) in
                let rows = try connection.query(
                    """
                    SELECT a.id, a.account_number, a.category, a.billing_type = 'prepaid' AS prepaid FROM accounts a
                    WHERE NOT EXISTS (SELECT 1 FROM meter_installations i WHERE i.account_id = a.id)
                    ORDER BY a.id LIMIT \(chunkSize)
                    """
                ).rows
                guard !rows.isEmpty else { return (0, 0, 0) }
                let premises = try rows.map {
                    Premise(
                        id: try $0.decode("id"), number: try $0.decode("account_number"), category: try $0.decode("category"),
                        prepaid: try $0.decode("prepaid"))
                }
                return try meterUp(premises, on: connection)
            }
            guard done.meters > 0 else { break }
            summary.meters += done.meters
            summary.readings += done.readings
            summary.alerts += done.alerts
            progress("meters \(summary.meters), readings \(summary.readings)")
        }
        // Fresh statistics and visibility for the planner and index-only scans, before anyone searches.
        if summary.accounts > 0 || summary.meters > 0 {
            progress("vacuum and analyze")
            for table: SQL in ["accounts", "account_search_words", "meters", "meter_installations", "readings_raw", "readings"] {
                try await database.query("VACUUM (ANALYZE) \(table)")
            }
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    public struct Premise {
        public let id: Int64
        public let number: String
        public let category: String
        /// Paid ahead with tokens: such a premise has a prepaid meter.
        public let prepaid: Bool

        public init(id: Int64, number: String, category: String, prepaid: Bool = false) {
            self.id = id
            self.number = number
            self.category = category
            self.prepaid = prepaid
        }
    }

    // MARK: generation

    public static let givenNames = [
        "Amara", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kofi", "Lena",
        "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Victor", "Wen", "Yusuf", "Zoe",
    ]
    public static let familyNames = [
        "Adeyemi", "Brennan", "Castillo", "Dubois", "Evans", "Fischer", "Gupta", "Haddad", "Ivanova", "Jensen",
        "Kowalski", "Lindqvist", "Mensah", "Nakamura", "O'Neill", "Petrov", "Quispe", "Rossi", "Silva",
        "Tanaka", "Usman", "Varga", "Walsh", "Xu", "Yilmaz", "Zielinski",
    ]
    /// A town of a million has thousands of surnames and streets: made from these parts, so that
    /// a search by name or street is as selective as it would be for real.
    public static let nameStarts = [
        "Ad", "Bar", "Cal", "Dun", "El", "Far", "Gal", "Har", "Ing", "Jar", "Kel", "Lor", "Mar", "Nor", "Oak",
        "Pen", "Quen", "Ros", "Sal", "Tor", "Ul", "Van", "Wes", "Yar", "Zel", "Ash", "Brom", "Crag", "Dorn", "Fen",
    ]
    public static let nameEnds = [
        "ley", "ton", "well", "by", "son", "ford", "ham", "wick", "more", "den", "field", "stead", "worth",
        "combe", "hurst", "dale", "shaw", "bury", "croft", "gate",
    ]
    public static let streets = [
        "Harbour", "Mill", "Station", "Church", "Market", "Orchard", "Quarry", "Willow", "Beacon", "Canal",
        "Foundry", "Granary", "Heath", "Kiln", "Lantern", "Meadow", "Ropewalk", "Tannery", "Weaver", "Yew",
        "Alder", "Bramble", "Chapel", "Dovecote", "Elm", "Ferry", "Gorse", "Hazel", "Juniper", "Larch",
        "Mariner", "Nettle", "Osprey", "Pilgrim", "Rowan", "Saddler", "Thistle", "Vicarage", "Wharf", "Cooper",
    ]
    public static let streetKinds = ["Street", "Lane", "Road", "Avenue", "Close", "Row", "Way", "Terrace"]
    public static let towns = [
        "Portview", "Eastholm", "Northby", "Westmere", "Southgate", "Highcross", "Lowbridge", "Fernley",
        "Ambridge", "Brackwater", "Coldharbour", "Dunmore", "Elderford", "Greyhaven", "Kingsmead", "Ravensholt",
    ]
    public static let businesses = ["Bakery", "Garage", "Pharmacy", "Cafe", "Hardware", "Laundry", "Surgery", "Print Shop", "Grocer"]
    public static let works = ["Steelworks", "Cold Store", "Sawmill", "Bottling Plant", "Textile Mill", "Data Centre"]

    /// SplitMix64: a small, fast, deterministic generator, seeded per account.
    public struct Generator: RandomNumberGenerator {
        public var state: UInt64
        public init(_ seed: Int, salt: UInt64 = 0) { state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 ^ salt }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    public static func account(at index: Int) -> [String?] {
        var rng = Generator(index)
        let roll = Int.random(in: 0..<100, using: &rng)
        let category = roll < 85 ? "residential" : roll < 97 ? "commercial" : "industrial"
        let family =
            Int.random(in: 0..<4, using: &rng) == 0
            ? familyNames.randomElement(using: &rng)!
            : nameStarts.randomElement(using: &rng)! + nameEnds.randomElement(using: &rng)!
        let town = towns.randomElement(using: &rng)!
        let street = "\(streets.randomElement(using: &rng)!) \(streetKinds.randomElement(using: &rng)!)"
        let house = Int.random(in: 1...240, using: &rng)
        let (holder, address): (String, String) =
            switch category {
            case "residential": ("\(givenNames.randomElement(using: &rng)!) \(family)", "\(house) \(street), \(town)")
            case "commercial": ("\(family) \(businesses.randomElement(using: &rng)!)", "\(house) \(street), \(town)")
            default: ("\(town) \(works.randomElement(using: &rng)!) Ltd", "Unit \(house), \(street) Industrial Estate, \(town)")
            }
        let prepaid = category == "residential" && Int.random(in: 0..<100, using: &rng) < 15
        return [
            String(firstNumber + index), holder, address, town, category, prepaid ? "prepaid" : "postpaid",
            String(format: "+4479%08d", index % 100_000_000),
        ]
    }

    /// Usual daily use by category, in kWh.
    public static func baseDaily(_ category: String, _ rng: inout Generator) -> Double {
        switch category {
        case "residential": Double.random(in: 6...14, using: &rng)
        case "commercial": Double.random(in: 30...90, using: &rng)
        default: Double.random(in: 300...700, using: &rng)
        }
    }

    /// More in winter, less in summer (northern hemisphere): ±30% over the year.
    public static func season(month: Int) -> Double { 1 + 0.3 * cos(2 * Double.pi * Double(month - 1) / 12) }

    private func meterUp(_ premises: [Premise], on connection: PostgresConnection) throws -> (meters: Int, readings: Int, alerts: Int) {
        let calendar: Calendar = {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            return calendar
        }()
        let today = calendar.startOfDay(for: Date())
        let thisMonth = calendar.date(from: calendar.dateComponents([.year, .month], from: today))!
        func day(_ date: Date) -> String {
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        }
        var meters = [[String?]]()
        var readings = [[String?]]()
        var alerts = 0
        for premise in premises {
            var rng = Generator(Int(premise.id), salt: 0xA5A5)
            let roll = Int.random(in: 0..<100, using: &rng)
            // A prepaid account has a prepaid meter (it takes tokens); the others are read by hand or report.
            let kind = premise.prepaid ? "prepaid" : roll < 70 ? "manual" : "smart"
            let serial = String(format: "MTR-%09lld", premise.id)
            let key = kind == "smart" ? "02" + Digest.sha256(Array(serial.utf8)).map { String(format: "%02x", $0) }.joined() : nil
            let multiplier = premise.category == "industrial" ? 10 : 1
            // Installed a little over a year ago, so the year of monthly readings starts near it.
            let installed = calendar.date(byAdding: .day, value: -(366 + Int.random(in: 0..<25, using: &rng)), to: today)!
            var value = Int64.random(in: 0..<20_000, using: &rng)
            let latitude = 51.45 + Double.random(in: 0..<0.2, using: &rng)
            let longitude = -2.65 + Double.random(in: 0..<0.3, using: &rng)
            meters.append([
                serial, kind == "smart" ? "Aclara SGM1" : "Landis E110", kind, String(multiplier), "6", key,
                String(premise.id), day(installed), String(value), String(format: "%.6f", latitude),
                String(format: "%.6f", longitude),
            ])
            let daily = Self.baseDaily(premise.category, &rng)
            // Some premises misbehave in their last month: a spike, or a meter that stopped counting.
            let oddity = Int.random(in: 0..<1000, using: &rng)
            var previous = installed
            for monthsAgo in stride(from: 13, through: 1, by: -1) {
                let end = calendar.date(byAdding: .day, value: -1, to: calendar.date(byAdding: .month, value: -monthsAgo + 1, to: thisMonth)!)!
                guard end > previous else { continue }
                let days = calendar.dateComponents([.day], from: previous, to: end).day!
                let month = calendar.component(.month, from: end)
                var used = Int64((daily * Double(days) * Self.season(month: month) * Double.random(in: 0.85...1.15, using: &rng)).rounded())
                var flag: String?
                if monthsAgo == 1, oddity < 5 {
                    used *= 6
                    flag = "high_use"
                }
                if monthsAgo == 1, oddity >= 5, oddity < 8, premise.category == "residential" {
                    used = 0
                    flag = "zero_use"
                }
                let steps = used / Int64(multiplier)
                value = (value + steps) % 1_000_000
                readings.append([serial, day(end), String(value), String(steps * Int64(multiplier)), flag])
                if flag != nil { alerts += 1 }
                previous = end
            }
        }
        // Foreign-key checks cost two thirds of the load (one trigger call per row and key). Every
        // row here is made by joining rows this transaction just wrote, so the keys hold by
        // construction; a superuser (the embedded cluster) may skip the checks, others run them.
        if try connection.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").rows.first?.decode("rolsuper", as: Bool.self) == true {
            try connection.execute("SET LOCAL session_replication_role = replica")
        }
        // Demo data can be made again; it need not wait for the disk at each chunk's commit.
        try connection.execute("SET LOCAL synchronous_commit = off")
        try connection.execute(
            """
            CREATE TEMP TABLE demo_meters (
                serial text, model text, kind text, multiplier int, digits smallint, public_key text, account_id bigint,
                installed_on date, initial bigint, latitude numeric, longitude numeric
            ) ON COMMIT DROP
            """)
        try connection.copyIn("COPY demo_meters FROM STDIN", rows: meters)
        // Temporary tables have no statistics until analysed; without them the joins below crawl.
        try connection.execute("ANALYZE demo_meters")
        try connection.execute(
            """
            INSERT INTO meters (serial, model, kind, multiplier, register_digits, public_key, status)
            SELECT serial, model, kind, multiplier, digits, public_key, 'installed' FROM demo_meters
            """)
        try connection.execute(
            """
            INSERT INTO meter_installations (meter_id, account_id, installed_on, initial_reading, latitude, longitude)
            SELECT m.id, d.account_id, d.installed_on, d.initial, d.latitude, d.longitude
            FROM demo_meters d JOIN meters m ON m.serial = d.serial
            """)
        try connection.execute(
            """
            INSERT INTO readings (installation_id, account_id, read_on, value, consumption, kind)
            SELECT i.id, i.account_id, i.installed_on, i.initial_reading, 0, 'initial'
            FROM demo_meters d JOIN meters m ON m.serial = d.serial JOIN meter_installations i ON i.meter_id = m.id
            """)
        try connection.execute(
            "CREATE TEMP TABLE demo_readings (serial text, read_on date, value bigint, consumption bigint, flag text) ON COMMIT DROP")
        try connection.copyIn("COPY demo_readings FROM STDIN", rows: readings)
        try connection.execute("ANALYZE demo_readings")
        // Raw rows first (the evidence), then the validated readings derived from them, joined on
        // the rows the insert returns rather than searched for again.
        try connection.execute(
            """
            WITH raw AS (
                INSERT INTO readings_raw (meter_id, read_at, value, source, payload)
                SELECT m.id, (d.read_on + time '12:00')::timestamptz, d.value, 'import', '{"seed": "demo"}'
                FROM demo_readings d JOIN meters m ON m.serial = d.serial
                RETURNING id, meter_id, read_at
            )
            INSERT INTO readings (installation_id, account_id, raw_id, read_on, value, consumption, kind, flag)
            SELECT i.id, i.account_id, r.id, d.read_on, d.value, d.consumption, 'actual', d.flag
            FROM demo_readings d
            JOIN meters m ON m.serial = d.serial
            JOIN meter_installations i ON i.meter_id = m.id
            JOIN raw r ON r.meter_id = m.id AND r.read_at = (d.read_on + time '12:00')::timestamptz
            """)
        try connection.execute(
            """
            INSERT INTO consumption_alerts (account_id, reading_id, kind, detail)
            SELECT r.account_id, r.id, CASE r.flag WHEN 'high_use' THEN 'spike' ELSE 'zero_use' END,
                   CASE r.flag WHEN 'high_use' THEN r.consumption || ' units to ' || r.read_on || ', far above the usual use'
                               ELSE 'No use to ' || r.read_on || ' on a live premise' END
            FROM readings r JOIN meter_installations i ON i.id = r.installation_id
            JOIN meters m ON m.id = i.meter_id JOIN demo_meters d ON d.serial = m.serial
            WHERE r.flag IS NOT NULL
            """)
        return (meters.count, readings.count, alerts)
    }
}
