import Identity
import Notifications
import Platform

/// `meterline seed --demo`: a handful of utility accounts to register against in development.
/// Safe to run again: existing account numbers are left as they are.
public enum DemoAccounts {
    public struct Account: Sendable {
        public let number: String
        public let category: String
        public let address: String
        public let mobile: String
        public let holder: String
        public let area: String

        public init(number: String, category: String, address: String, mobile: String, holder: String, area: String) {
            self.number = number
            self.category = category
            self.address = address
            self.mobile = mobile
            self.holder = holder
            self.area = area
        }
    }

    public static let accounts = [
        Account(
            number: "100200300", category: "residential", address: "12 Harbour Street, Portview", mobile: "+447700900101", holder: "María López",
            area: "Portview"),
        Account(
            number: "100200301", category: "residential", address: "4 Mill Lane, Portview", mobile: "+447700900102", holder: "Samuel Okafor",
            area: "Portview"),
        Account(
            number: "100200302", category: "residential", address: "Flat 3, 88 Station Road, Eastholm", mobile: "+447700900103", holder: "Tomás Ruiz",
            area: "Eastholm"),
        Account(
            number: "200300400", category: "commercial", address: "The Corner Bakery, 1 Market Square, Portview", mobile: "+447700900201",
            holder: "Bea Baker", area: "Portview"),
        Account(
            number: "300400500", category: "industrial", address: "Unit 7, Riverside Works, Eastholm", mobile: "+447700900301",
            holder: "Riverside Works Ltd", area: "Eastholm"),
    ]

    /// Returns how many accounts were new.
    @discardableResult
    public static func seed(_ database: Database) async throws -> Int {
        try await database.transaction { connection in
            var created = 0
            for account in accounts {
                created += try connection.execute(
                    """
                    INSERT INTO accounts (account_number, category, supply_address, mobile_on_file, holder_name, area)
                    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_number) DO NOTHING
                    """, [account.number, account.category, account.address, account.mobile, account.holder, account.area])
            }
            return created
        }
    }
}
