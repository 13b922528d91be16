import Foundation
import MeterProtocol
import Testing

@testable import Accounts
@testable import Platform
@testable import Prepaid

/// BL-8: engineers load vending keys; technicians issue emergency tokens. Bad input is named by
/// its field and stores nothing; a key is never readable back.
@Suite("Vending keys and emergency tokens (BL-8)")
struct VendingKeysTests {
    static let box = SecretBox(secretKey: Array("test secret key for vending keys!".utf8), purpose: "vending-keys")

    static func technician(_ db: Database) async throws -> Int64 {
        try await db.query(
            """
            INSERT INTO users (username, full_name, password_hash, kind, status)
            VALUES ('tess.tech', 'Tess Tech', '$argon2id$placeholder', 'staff', 'active') RETURNING id
            """
        ).rows[0].decode("id")
    }

    @Test("a malformed key, supply group, revision or type is refused field by field and stores nothing")
    func badKeys() async throws {
        try await withTestDatabase { (db: Database) async throws in
            let keys = VendingKeys(database: db, box: Self.box)
            do {
                _ = try await keys.load(supplyGroup: "12345", keyRevision: "10", keyType: "7", key: "not a key", by: nil)
                Issue.record("loaded")
            } catch let refused as VendingKeys.Refused {
                #expect(Set(refused.problems.keys) == [.supplyGroup, .keyRevision, .keyType, .key])
            }
            #expect(try await countRows("vending_keys", db) == 0)
            let loaded = try await keys.load(supplyGroup: "123456", keyRevision: "1", keyType: "2", key: "ABAB abab abab abab", by: nil)
            #expect(loaded.fingerprint.count == 8)
            // The same revision twice is refused; the stored key is sealed, not the key's bytes.
            await #expect(throws: VendingKeys.Refused.self) {
                try await keys.load(supplyGroup: "123456", keyRevision: "1", keyType: "2", key: "0000000000000000", by: nil)
            }
            let sealed: ByteA = try await db.query("SELECT sealed_key FROM vending_keys").rows[0].decode("sealed_key")
            #expect(!Hex.encode(sealed.bytes).contains("abababababababab"))
            #expect(try await keys.list().map(\.fingerprint) == [loaded.fingerprint])
        }
    }

    @Test("an emergency token needs a reason, a prepaid meter in service, and one week since the last")
    func emergencyTokens() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            let meterID = try await installMeter(db, serial: "PRE-EMERGENCY-1")
            let staff = try await Self.technician(db)
            let emergency = IssueEmergencyToken(database: db, box: Self.box, settings: PrepaidSettings(pricePerKilowattHour: Money(minorUnits: 25)))
            // A manual meter takes no tokens.
            await #expect(throws: TokenRefused.notPrepaid) {
                try await emergency.run(meterID: meterID, reason: "Supply off, consumer waiting", by: staff, clientAddress: nil)
            }
            try await db.query("UPDATE meters SET kind = 'prepaid' WHERE id = $1", [meterID])
            // On a postpaid account the meter's use is billed: no token.
            await #expect(throws: TokenRefused.notPrepaid) {
                try await emergency.run(meterID: meterID, reason: "Supply off, consumer waiting", by: staff, clientAddress: nil)
            }
            try await db.query("UPDATE accounts SET billing_type = 'prepaid' WHERE account_number = $1", [DemoAccounts.accounts[0].number])
            await #expect(throws: TokenRefused.noVendingKey) {
                try await emergency.run(meterID: meterID, reason: "Supply off, consumer waiting", by: staff, clientAddress: nil)
            }
            _ = try await VendingKeys(database: db, box: Self.box).load(
                supplyGroup: "123456", keyRevision: "1", keyType: "2", key: "abababababababab", by: nil)
            await #expect(throws: TokenRefused.self) { try await emergency.run(meterID: meterID, reason: " ", by: staff, clientAddress: nil) }
            let tokens = try await emergency.run(meterID: meterID, reason: "Supply off, consumer waiting", by: staff, clientAddress: nil)
            #expect(tokens.map(\.kind) == [.emergency])
            #expect(tokens.first?.tenths == 50)
            await #expect(throws: TokenRefused.tooSoon(days: 7)) {
                try await emergency.run(meterID: meterID, reason: "Again", by: staff, clientAddress: nil)
            }
            #expect(try await countRows("audit_log WHERE action = 'prepaid.emergency_token'", db) == 1)
        }
    }

    @Test("a meter on an older key revision gets its key change pair before the credit")
    func keyChangeFirst() async throws {
        try await withTestDatabase { (db: Database) async throws in
            try await DemoAccounts.seed(db)
            let meterID = try await installMeter(db, serial: "PRE-KEYCHANGE-1")
            try await db.query("UPDATE meters SET kind = 'prepaid' WHERE id = $1", [meterID])
            let keys = VendingKeys(database: db, box: Self.box)
            _ = try await keys.load(supplyGroup: "123456", keyRevision: "1", keyType: "2", key: "abababababababab", by: nil)
            _ = try await keys.load(supplyGroup: "123456", keyRevision: "2", keyType: "2", key: "0123456789abcdef", by: nil)
            let accountID: Int64 = try await db.query("SELECT account_id FROM meter_installations WHERE meter_id = $1", [meterID]).rows[0]
                .decode("account_id")
            let staff = try await Self.technician(db)
            let tokens = try await db.transaction { connection in
                try IssueTokens.issue(
                    .emergency, tenths: 10, meterID: meterID, accountID: accountID, paymentID: nil, by: staff, box: Self.box, at: Date(),
                    on: connection)
            }
            #expect(tokens.map(\.kind) == [.keyChange, .keyChange, .emergency])
            let pan: String = try await db.query("SELECT pan FROM prepaid_meters WHERE meter_id = $1", [meterID]).rows[0].decode("pan")
            let old = try STSDecoderKey(
                vendingKey: 0xabab_abab_abab_abab, keyType: 2, supplyGroupCode: "123456", tariffIndex: 1, keyRevision: 1, pan: pan)
            let new = try STSDecoderKey(
                vendingKey: 0x0123_4567_89ab_cdef, keyType: 2, supplyGroupCode: "123456", tariffIndex: 1, keyRevision: 2, pan: pan)
            // The pair opens with the meter's old key and carries the new one; the credit opens with the new key.
            guard case .keyChangeFirst(let first) = try STSToken(digits: tokens[0].digits, key: old),
                case .keyChangeSecond(let second) = try STSToken(digits: tokens[1].digits, key: old)
            else {
                Issue.record("not a key change pair")
                return
            }
            #expect(STSDecoderKey(newKeyHigh: first.newKeyHigh, newKeyLow: second.newKeyLow) == new)
            guard case .credit = try STSToken(digits: tokens[2].digits, key: new) else {
                Issue.record("not a credit")
                return
            }
            #expect(
                try await db.query("SELECT key_revision FROM prepaid_meters WHERE meter_id = $1", [meterID]).rows[0].decode(
                    "key_revision", as: Int.self) == 2)
        }
    }
}
