import Foundation
import Notifications
import Platform

/// One-time codes (ID-4): 6 digits from a CSPRNG, bound to one user and one purpose, stored only
/// as an HMAC under the server's secret key, valid 5 minutes, dead after 5 wrong tries, resent
/// no sooner than 60 s, at most 10 a day to one number; a used code never works again.
public struct OneTimeCodes: Sendable {
    public enum Purpose: String, Sendable {
        case registration, login, recovery, unlock, reactivate
    }

    public static let validitySeconds = 300
    public static let maximumAttempts = 5
    public static let resendAfterSeconds = 60
    public static let dailyLimitPerRecipient = 10

    public let key: [UInt8]

    public init(key: [UInt8]) {
        precondition(key.count >= 32, "the code key must be at least 256 bits")
        self.key = key
    }

    /// Why no code was issued; said to the person as it is.
    public enum IssueRefusal: Error, Equatable, CustomStringConvertible {
        case tooSoon(secondsLeft: Int)
        case dailyLimit

        public var description: String {
            switch self {
            case .tooSoon(let seconds): "A code was sent a moment ago. You can ask for a new one in \(seconds) seconds."
            case .dailyLimit: "We have sent the most codes we send to this number in a day. Please try again tomorrow."
            }
        }
    }

    /// Said next to the code field when a code was checked against a login someone typed: the
    /// answer cannot say whether the login or the code was wrong.
    public static let wrongForLogin = "That code is not right for this login, or has expired. Ask for a new one."

    /// The outcome of checking a code. Wrong tries are counted in the database, so callers must
    /// commit the transaction even when the answer is not `.accepted`.
    public enum Check: Equatable, Sendable {
        case accepted
        case wrong(triesLeft: Int)
        case expired
        case exhausted
        case missing

        /// Said next to the code field.
        public var message: String? {
            switch self {
            case .accepted: nil
            case .wrong(let left): "That code is not right. You have \(left) \(left == 1 ? "try" : "tries") left."
            case .expired: "That code has expired. Ask for a new one."
            case .exhausted: "Too many wrong tries for this code. Ask for a new one."
            case .missing: "There is no code waiting. Ask for a new one."
            }
        }
    }

    /// Issues a code inside the caller's transaction and queues the message carrying it (an SMS,
    /// or an email when `subject` is given), so the code exists exactly when its message does.
    /// Returns the code only for the message text.
    @discardableResult
    public func issue(
        on connection: PostgresConnection, userID: Int64, purpose: Purpose, recipient: String,
        subject: String? = nil, message: (String) -> String
    ) throws -> String {
        // Serialises codes for one person: two requests at once cannot both pass the checks below.
        try connection.query("SELECT id FROM users WHERE id = $1 FOR UPDATE", [userID])
        let wait: Int? = try connection.query(
            """
            SELECT ceil($3 - EXTRACT(EPOCH FROM \(connection.now) - max(created_at)))::int AS wait
            FROM one_time_codes WHERE user_id = $1 AND purpose = $2 AND created_at > \(connection.now) - make_interval(secs => $3)
            """, [userID, purpose.rawValue, Self.resendAfterSeconds]
        ).rows[0].decode("wait")
        // NULL when no code was sent within the window.
        if let wait, wait > 0 { throw IssueRefusal.tooSoon(secondsLeft: wait) }
        let sentToday = try connection.query(
            "SELECT count(*) AS n FROM one_time_codes WHERE recipient = $1 AND created_at > \(connection.now) - interval '1 day'",
            [recipient]
        ).rows[0].decode("n", as: Int.self)
        guard sentToday < Self.dailyLimitPerRecipient else { throw IssueRefusal.dailyLimit }

        let code = Self.randomCode()
        // Older codes for the same purpose stop working: only the newest one counts.
        try connection.execute(
            "UPDATE one_time_codes SET used_at = \(connection.now) WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
            [userID, purpose.rawValue])
        try connection.execute(
            """
            INSERT INTO one_time_codes (user_id, purpose, recipient, code_hash, created_at, expires_at)
            VALUES ($1, $2, $3, $4, \(connection.now), \(connection.now) + make_interval(secs => $5))
            """, [userID, purpose.rawValue, recipient, ByteA(hash(code, userID: userID, purpose: purpose)), Self.validitySeconds])
        try Outbox.enqueue(
            on: connection, channel: subject == nil ? .sms : .email, to: recipient, subject: subject, body: message(code),
            purpose: "\(purpose.rawValue)_code")
        return code
    }

    /// Checks `code` against the newest unused code for this user and purpose.
    public func check(on connection: PostgresConnection, userID: Int64, purpose: Purpose, code: String) throws -> Check {
        guard
            let row = try connection.query(
                """
                SELECT id, code_hash, failed_attempts, expires_at <= \(connection.now) AS expired FROM one_time_codes
                WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL
                ORDER BY created_at DESC LIMIT 1 FOR UPDATE
                """, [userID, purpose.rawValue]
            ).rows.first
        else { return .missing }
        let id: Int64 = try row.decode("id")
        let attempts: Int = try row.decode("failed_attempts")
        if try row.decode("expired", as: Bool.self) { return .expired }
        if attempts >= Self.maximumAttempts { return .exhausted }
        let digits = code.filter { !$0.isWhitespace }
        let stored = try row.decode("code_hash", as: ByteA.self).bytes
        guard digits.count == 6, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            Digest.constantTimeEquals(hash(digits, userID: userID, purpose: purpose), stored)
        else {
            try connection.execute("UPDATE one_time_codes SET failed_attempts = failed_attempts + 1 WHERE id = $1", [id])
            let left = Self.maximumAttempts - attempts - 1
            return left > 0 ? .wrong(triesLeft: left) : .exhausted
        }
        try connection.execute("UPDATE one_time_codes SET used_at = \(connection.now) WHERE id = $1", [id])
        return .accepted
    }

    public func hash(_ code: String, userID: Int64, purpose: Purpose) -> [UInt8] {
        Digest.hmacSHA256(key: key, message: Array("\(userID):\(purpose.rawValue):\(code)".utf8))
    }

    /// Six uniformly random digits (rejection sampling: no modulo bias).
    public static func randomCode() -> String {
        while true {
            let bytes = SecureRandom.bytes(4)
            let value = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
            if value < 4_294_000_000 { return String(format: "%06u", value % 1_000_000) }
        }
    }
}
