import Accounts
import Identity
import Notifications
import Platform

/// What a reader sees of one premise (MT-3): the account, its live meter and its last readings.
public struct PremiseReadings: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Premise: Encodable, Sendable {
        public let accountNumber: String
        public let holderName: String
        public let supplyAddress: String
        public let area: String
        public let category: String
        public let status: String
        public let meter: Meter?
        public let readings: [Reading]
        /// The last reading, shown next to the field.
        public let last: Reading?

        public init(
            accountNumber: String, holderName: String, supplyAddress: String, area: String, category: String, status: String, meter: Meter?,
            readings: [Reading], last: Reading?
        ) {
            self.accountNumber = accountNumber
            self.holderName = holderName
            self.supplyAddress = supplyAddress
            self.area = area
            self.category = category
            self.status = status
            self.meter = meter
            self.readings = readings
            self.last = last
        }
    }

    public struct Meter: Encodable, Sendable {
        public let serial: String
        public let kind: String
        public let registerDigits: Int
        public let multiplier: Int
        public let installedOn: String
        /// "×10" for a meter that counts in steps of 10 units; nil for 1.
        public let multiplierNote: String?

        public init(serial: String, kind: String, registerDigits: Int, multiplier: Int, installedOn: String) {
            (self.serial, self.kind, self.registerDigits, self.multiplier, self.installedOn) = (serial, kind, registerDigits, multiplier, installedOn)
            multiplierNote = multiplier > 1 ? "×\(multiplier)" : nil
        }
    }

    public struct Reading: Encodable, Sendable {
        public let readOn: String
        public let value: Int64
        public let consumption: Int64
        public let kind: String
        public let flag: String?

        public init(readOn: String, value: Int64, consumption: Int64, kind: String, flag: String?) {
            self.readOn = readOn
            self.value = value
            self.consumption = consumption
            self.kind = kind
            self.flag = flag
        }
    }

    public static let shown = 6

    public func load(accountNumber: String) async throws -> Premise? {
        guard
            let row = try await database.query(
                """
                SELECT a.id, a.account_number, a.holder_name, a.supply_address, a.area, a.category, a.status,
                       i.id AS installation_id, m.serial, m.kind, m.register_digits, m.multiplier, i.installed_on::text AS installed_on
                FROM accounts a
                LEFT JOIN meter_installations i ON i.account_id = a.id AND i.removed_on IS NULL
                LEFT JOIN meters m ON m.id = i.meter_id
                WHERE a.account_number = $1
                """, [accountNumber]
            ).rows.first
        else { return nil }
        var meter: Meter?
        var readings = [Reading]()
        if let installationID: Int64 = try row.decode("installation_id") {
            meter = Meter(
                serial: try row.decode("serial"), kind: try row.decode("kind"), registerDigits: try row.decode("register_digits"),
                multiplier: try row.decode("multiplier"), installedOn: try row.decode("installed_on"))
            readings = try await database.query(
                """
                SELECT read_on::text AS read_on, value, consumption, kind, flag FROM current_readings
                WHERE installation_id = $1 ORDER BY read_on DESC, id DESC LIMIT \(Self.shown)
                """, [installationID]
            ).rows.map {
                Reading(
                    readOn: try $0.decode("read_on"), value: try $0.decode("value"), consumption: try $0.decode("consumption"),
                    kind: try $0.decode("kind"), flag: try $0.decode("flag"))
            }
        }
        return Premise(
            accountNumber: try row.decode("account_number"), holderName: try row.decode("holder_name"),
            supplyAddress: try row.decode("supply_address"), area: try row.decode("area"), category: try row.decode("category"),
            status: try row.decode("status"), meter: meter, readings: readings, last: readings.first)
    }
}
