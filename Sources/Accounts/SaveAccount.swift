import Identity
import Notifications
import Platform

/// MT-1: an administrator creates a utility account or changes one: the holder's name, the
/// supply address, its area, category, how it pays, whether it is live, and the mobile on file
/// (which a consumer must match to register). Every change is in the audit trail.
public struct SaveAccount: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Form: Sendable, Equatable {
        public var accountNumber: String?
        public var holderName: String?
        public var supplyAddress: String?
        public var area: String?
        public var category: String?
        public var billingType: String?
        public var status: String?
        public var mobile: String?

        public init(
            accountNumber: String? = nil, holderName: String? = nil, supplyAddress: String? = nil, area: String? = nil, category: String? = nil,
            billingType: String? = nil, status: String? = nil, mobile: String? = nil
        ) {
            self.accountNumber = accountNumber
            self.holderName = holderName
            self.supplyAddress = supplyAddress
            self.area = area
            self.category = category
            self.billingType = billingType
            self.status = status
            self.mobile = mobile
        }
    }

    public enum Field: String, Sendable { case accountNumber, holderName, supplyAddress, area, category, billingType, status, mobile }

    public struct Refused: Error, Equatable {
        public let problems: [Field: String]

        public init(problems: [Field: String]) {
            self.problems = problems
        }
    }

    private struct Clean {
        let holder: String, address: String, area: String, category: AccountCategory, billing: BillingType, status: AccountStatus, mobile: String
    }

    private func validate(_ form: Form) throws -> Clean {
        var problems = [Field: String]()
        let holder = Normalise.text(form.holderName) ?? ""
        if holder.isEmpty || holder.count > 120 { problems[.holderName] = "Enter the holder's name (at most 120 characters)." }
        let address = Normalise.text(form.supplyAddress) ?? ""
        if !(5...300).contains(address.count) { problems[.supplyAddress] = "Enter the supply address (5 to 300 characters)." }
        let area = Normalise.text(form.area) ?? ""
        if area.isEmpty || area.count > 60 { problems[.area] = "Enter the area or zone (at most 60 characters)." }
        let category = AccountCategory(rawValue: form.category ?? "")
        if category == nil { problems[.category] = "Choose residential, commercial or industrial." }
        let billing = BillingType(rawValue: form.billingType ?? "")
        if billing == nil { problems[.billingType] = "Choose postpaid or prepaid." }
        let status = AccountStatus(rawValue: form.status ?? "active")
        if status == nil { problems[.status] = "Choose active, disconnected or closed." }
        let mobile = Normalise.mobile(form.mobile)
        if mobile == nil { problems[.mobile] = "Enter the mobile with its country code, for example +44 7700 900123." }
        guard problems.isEmpty else { throw Refused(problems: problems) }
        guard let category, let billing, let status, let mobile else { throw Refused(problems: problems) }
        return Clean(holder: holder, address: address, area: area, category: category, billing: billing, status: status, mobile: mobile)
    }

    public func create(_ form: Form, by userID: Int64, clientAddress: String?) async throws -> String {
        let number = (form.accountNumber ?? "").filter { !$0.isWhitespace }
        var problems = [Field: String]()
        if number.wholeMatch(of: /[0-9]{6,16}/) == nil { problems[.accountNumber] = "An account number has 6 to 16 digits." }
        let clean: Clean?
        do {
            clean = try validate(form)
        } catch let refused as Refused {
            problems.merge(refused.problems) { first, _ in first }
            clean = nil
        }
        guard let clean, problems.isEmpty else { throw Refused(problems: problems) }
        do {
            try await database.transaction { connection in
                try connection.execute(
                    """
                    INSERT INTO accounts (account_number, holder_name, supply_address, area, category, billing_type, status, mobile_on_file)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    """, [number, clean.holder, clean.address, clean.area, clean.category, clean.billing, clean.status, clean.mobile])
                try AuditLog.record(on: connection, .accountCreated, userID: userID, clientAddress: clientAddress, details: ["account": number])
            }
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw Refused(problems: [.accountNumber: "There is an account with this number already."])
        }
        return number
    }

    /// Returns false when there is no such account.
    public func update(accountNumber: String, _ form: Form, by userID: Int64, clientAddress: String?) async throws -> Bool {
        let clean = try validate(form)
        return try await database.transaction { connection in
            guard
                try connection.execute(
                    """
                    UPDATE accounts SET holder_name = $2, supply_address = $3, area = $4, category = $5, billing_type = $6, status = $7,
                           mobile_on_file = $8
                    WHERE account_number = $1
                    """, [accountNumber, clean.holder, clean.address, clean.area, clean.category, clean.billing, clean.status, clean.mobile]) == 1
            else { return false }
            try AuditLog.record(
                on: connection, .accountChanged, userID: userID, clientAddress: clientAddress,
                details: [
                    "account": accountNumber, "status": clean.status.rawValue, "category": clean.category.rawValue, "billing": clean.billing.rawValue,
                ])
            return true
        }
    }

    public func load(accountNumber: String) async throws -> Form? {
        try await database.query(
            """
            SELECT account_number, holder_name, supply_address, area, category, billing_type, status, mobile_on_file
            FROM accounts WHERE account_number = $1
            """, [accountNumber]
        ).rows.first.map {
            Form(
                accountNumber: try $0.decode("account_number"), holderName: try $0.decode("holder_name"),
                supplyAddress: try $0.decode("supply_address"), area: try $0.decode("area"), category: try $0.decode("category"),
                billingType: try $0.decode("billing_type"), status: try $0.decode("status"), mobile: try $0.decode("mobile_on_file"))
        }
    }
}
