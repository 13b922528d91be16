/// An error from PostgreSQL or from talking to it. `sqlState` lets callers turn a constraint
/// violation into a domain error ("that username is taken") instead of a 500.
public struct DatabaseError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// Could not connect, or the connection broke.
        case connection
        /// The server refused the statement.
        case query
        /// A value in a row could not be decoded into the Swift type asked for.
        case decoding
        /// Every pooled connection stayed busy for longer than the pool's wait.
        case busy
    }

    public var kind: Kind
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var constraint: String?
    /// 1-based character offset of the error in the statement text, when PostgreSQL reports one.
    public var position: Int?

    public init(
        kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil,
        constraint: String? = nil, position: Int? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.constraint = constraint
        self.position = position
    }

    public var isUniqueViolation: Bool { sqlState == SQLState.uniqueViolation }
    public var isCheckViolation: Bool { sqlState == SQLState.checkViolation }
    public var isForeignKeyViolation: Bool { sqlState == SQLState.foreignKeyViolation }
    public var isNotNullViolation: Bool { sqlState == SQLState.notNullViolation }
    /// The statement ran past `statement_timeout`, or waited past `lock_timeout`.
    public var isTimeout: Bool { sqlState == SQLState.queryCanceled || sqlState == SQLState.lockNotAvailable }
    /// Worth running the whole transaction again.
    public var isRetryable: Bool { sqlState == SQLState.serializationFailure || sqlState == SQLState.deadlockDetected }

    public var description: String {
        var text = sqlState.map { "\($0): \(message)" } ?? message
        if let detail { text += " (\(detail))" }
        return text
    }
}

/// SQLSTATE codes the application reacts to (PostgreSQL appendix A).
public enum SQLState {
    public static let uniqueViolation = "23505"
    public static let checkViolation = "23514"
    public static let foreignKeyViolation = "23503"
    public static let notNullViolation = "23502"
    public static let exclusionViolation = "23P01"
    public static let serializationFailure = "40001"
    public static let deadlockDetected = "40P01"
    public static let queryCanceled = "57014"
    public static let lockNotAvailable = "55P03"
    public static let insufficientPrivilege = "42501"
    public static let undefinedTable = "42P01"
    public static let syntaxError = "42601"
    public static let raiseException = "P0001"
}
