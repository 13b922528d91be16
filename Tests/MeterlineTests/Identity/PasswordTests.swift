import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("Passwords (ID-10)")
struct PasswordTests {
    // Small parameters keep the tests quick; the algorithm and format are the same.
    let hasher = PasswordHasher(parameters: .init(memoryKiB: 1024, iterations: 1, parallelism: 1), threads: 2)

    @Test("a password hashes to an Argon2id PHC string that verifies, with a fresh salt each time")
    func hashAndVerify() async throws {
        let first = try await hasher.hash("correct horse battery staple")
        let second = try await hasher.hash("correct horse battery staple")
        #expect(first.hasPrefix("$argon2id$v=19$m=1024,t=1,p=1$"))
        #expect(first != second)
        #expect(try await hasher.verify("correct horse battery staple", against: first))
        #expect(try await hasher.verify("correct horse battery stapl", against: first) == false)
        #expect(try await hasher.verify("", against: first) == false)
    }

    @Test("a malformed or foreign stored hash never verifies")
    func malformedHash() async throws {
        for stored in ["", "plaintext", "$2b$12$abcdefghijklmnopqrstuv", "$argon2id$v=19$m=1024,t=1,p=1$xx$yy"] {
            #expect(try await hasher.verify("anything at all", against: stored) == false)
        }
    }

    @Test("a hash made with other parameters is due for rehashing; one made with these is not")
    func rehashWhenParametersChange() async throws {
        let current = try await hasher.hash("a long enough passphrase")
        #expect(hasher.needsRehash(current) == false)
        let stronger = PasswordHasher(parameters: .init(memoryKiB: 2048, iterations: 2, parallelism: 1), threads: 1)
        #expect(stronger.needsRehash(current))
        // The old hash still verifies under the new configuration, so the login can succeed and rehash.
        #expect(try await stronger.verify("a long enough passphrase", against: current))
        #expect(stronger.needsRehash("not a hash"))
        await stronger.shutdown()
    }

    @Test("the shipped list holds the 10,000 most common passwords")
    func shippedList() throws {
        let policy = try PasswordPolicy.shipped()
        #expect(policy.commonCount == 10_000)
    }

    @Test("short, over-long, common and username passwords are refused with a message for the field")
    func policy() throws {
        let policy = try PasswordPolicy.shipped()
        #expect(throws: PasswordPolicy.Refusal.tooShort) { try policy.check("Sh0rt!") }
        #expect(throws: PasswordPolicy.Refusal.tooLong) { try policy.check(String(repeating: "x", count: 257)) }
        #expect(throws: PasswordPolicy.Refusal.tooCommon) { try policy.check("1234567890") }
        #expect(throws: PasswordPolicy.Refusal.tooCommon) { try policy.check("PASSWORD123") }
        #expect(throws: PasswordPolicy.Refusal.sameAsUsername) { try policy.check("maria.lopez77", username: "Maria.Lopez77") }
        #expect(PasswordPolicy.Refusal.tooCommon.description.contains("most common"))
        try policy.check("meter reading by lamplight", username: "maria")
    }
}
