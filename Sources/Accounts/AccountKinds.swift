import Platform

/// `accounts.category`: the tariff family a premise belongs to.
public enum AccountCategory: String, Sendable, CaseIterable, SQLEncodable, SQLDecodable {
    case residential, commercial, industrial
}

/// `accounts.billing_type`: billed after use, or paid ahead with tokens.
public enum BillingType: String, Sendable, CaseIterable, SQLEncodable, SQLDecodable {
    case postpaid, prepaid
}

/// `accounts.status`: a closed account's premise is hidden from its consumers.
public enum AccountStatus: String, Sendable, CaseIterable, SQLEncodable, SQLDecodable {
    case active, disconnected, closed
}
