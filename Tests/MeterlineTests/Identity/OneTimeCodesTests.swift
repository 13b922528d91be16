import Foundation
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("One-time codes (ID-4)")
struct OneTimeCodesTests {
    let codes = OneTimeCodes(key: Array("test-secret-key-that-is-at-least-32-characters".utf8))

    func user(_ db: Database, _ name: String = "ana") async throws -> Int64 {
        try await db.query(
            "INSERT INTO users (username, full_name, mobile, password_hash) VALUES ($1, 'Ana', '+447700900555', '$argon2id$x') RETURNING id",
            [name]
        ).rows[0].decode("id")
    }

    func issue(_ db: Database, _ userID: Int64, _ purpose: OneTimeCodes.Purpose = .login, to mobile: String = "+447700900555") async throws -> String
    {
        let codes = self.codes
        return try await db.transaction { try codes.issue(on: $0, userID: userID, purpose: purpose, recipient: mobile) { "Code \($0)" } }
    }

    func check(_ db: Database, _ userID: Int64, _ code: String, purpose: OneTimeCodes.Purpose = .login) async throws -> OneTimeCodes.Check {
        let codes = self.codes
        return try await db.transaction { try codes.check(on: $0, userID: userID, purpose: purpose, code: code) }
    }

    @Test("codes are 6 digits, stored only as a hash, and work once")
    func storedHashedAndSingleUse() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let id = try await user(db)
            let code = try await issue(db, id)
            #expect(code.wholeMatch(of: /[0-9]{6}/) != nil)
            let stored = try await db.query("SELECT code_hash FROM one_time_codes").rows[0].decode("code_hash", as: ByteA.self)
            #expect(stored.bytes.count == 32)
            #expect(!Hex.encode(stored.bytes).contains(code))
            #expect(try await check(db, id, code) == .accepted)
            #expect(try await check(db, id, code) == .missing)
        }
    }

    @Test("a code works only for its own user and purpose")
    func boundToUserAndPurpose() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let ana = try await user(db, "ana")
            let ben = try await user(db, "ben")
            let code = try await issue(db, ana, .login)
            #expect(try await check(db, ben, code) == .missing)
            #expect(try await check(db, ana, code, purpose: .recovery) == .missing)
            #expect(try await check(db, ana, code) == .accepted)
        }
    }

    @Test("wrong tries are counted down and the fifth kills the code")
    func triesCountDown() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let id = try await user(db)
            let code = try await issue(db, id)
            let wrong = code == "123456" ? "654321" : "123456"
            #expect(try await check(db, id, wrong) == .wrong(triesLeft: 4))
            #expect(try await check(db, id, "12") == .wrong(triesLeft: 3))
            #expect(try await check(db, id, "abcdef") == .wrong(triesLeft: 2))
            #expect(try await check(db, id, wrong) == .wrong(triesLeft: 1))
            #expect(try await check(db, id, wrong) == .exhausted)
            #expect(try await check(db, id, code) == .exhausted)
        }
    }

    @Test("at most 10 codes a day go to one number")
    func dailyLimit() async throws {
        try await withTestDatabase { (db: Database) async throws in
            for n in 0..<10 {
                let id = try await user(db, "user\(n)")
                try await issue(db, id)
            }
            let eleventh = try await user(db, "user10")
            await #expect(throws: OneTimeCodes.IssueRefusal.dailyLimit) { try await issue(db, eleventh) }
            // Nothing of the refused attempt was kept: no code and no SMS.
            #expect(try await db.query("SELECT count(*) AS n FROM notifications").rows[0].decode("n", as: Int.self) == 10)
        }
    }

    @Test("codes are uniformly spread over all six digits")
    func randomCodes() {
        let samples = (0..<2000).map { _ in OneTimeCodes.randomCode() }
        #expect(samples.allSatisfy { $0.count == 6 && $0.allSatisfy(\.isNumber) })
        #expect(Set(samples).count > 1950)
        #expect(Set(samples.map(\.first)).count == 10)
    }
}
