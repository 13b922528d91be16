import Foundation
import Testing

@testable import MeterProtocol

/// IEC 62055-41 (STS) tokens, checked against the public CTSA compliance vectors (vending key
/// abababababababab, supply group 123456, tariff index 01, key revision 1, key type 2, random number 5,
/// base date 1993) and against every way a typed token can be wrong.
@Suite("STS prepaid tokens")
struct STSTokenTests {
    static let vendingKey: UInt64 = 0xabab_abab_abab_abab
    static let meter = key(pan: "600727000000000009")
    static let otherMeter = key(pan: "000001000000000082")

    static func key(pan: String, tariffIndex: Int = 1) -> STSDecoderKey {
        try! STSDecoderKey(
            vendingKey: vendingKey, keyType: 2, supplyGroupCode: "123456", tariffIndex: tariffIndex, keyRevision: 1, pan: pan)
    }

    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static func credit(
        _ service: STSToken.Credit.Service = .electricity, at time: String, tenths: Int, base: STSBaseDate = .y1993
    ) throws -> STSToken {
        .credit(
            .init(
                service: service, random: 5, identifier: try STSTokenIdentifier(issuedAt: utc(time), baseDate: base),
                amount: try STSAmount(roundingUp: tenths)))
    }

    @Test("DES matches the FIPS 81 known answer")
    func desKnownAnswer() {
        #expect(DES.encrypt(0x4e6f_7720_6973_2074, key: 0x0123_4567_89ab_cdef) == 0x3fa4_0e8a_984d_4815)
    }

    @Test("CTSA01: DKGA-02 derives the published decoder key and credit tokens match for electricity, water and gas")
    func ctsa01() throws {
        #expect(Self.meter.hex == "6ff35b9d1f3453e6")
        #expect(STSDecoderKey(hex: "6ff35b9d1f3453e6") == Self.meter)
        #expect(try Self.credit(at: "2004-03-01T13:55:00Z", tenths: 1).digits(with: Self.meter) == "23716100501183194197")
        #expect(try Self.credit(at: "2004-03-01T14:00:00Z", tenths: 1).digits(with: Self.otherMeter) == "67206107716095682372")
        #expect(try Self.credit(.water, at: "2004-03-01T14:05:00Z", tenths: 1).digits(with: Self.meter) == "42502136492215507402")
        #expect(try Self.credit(.water, at: "2004-03-01T14:10:00Z", tenths: 1).digits(with: Self.otherMeter) == "09109691696351271646")
        #expect(try Self.credit(.gas, at: "2004-03-01T14:15:00Z", tenths: 1).digits(with: Self.meter) == "67586531586639825066")
        #expect(try Self.credit(.gas, at: "2004-03-01T14:20:00Z", tenths: 1).digits(with: Self.otherMeter) == "35758660990071466853")
    }

    @Test("CTSA10: amounts across every exponent encode as the standard does, rounding up")
    func ctsa10() throws {
        let steps: [(String, Int, String)] = [
            ("00:30", 256, "26456622012185850752"), ("00:35", 16383, "02194538019157867319"),
            ("00:40", 16384, "49848950875249585071"), ("00:45", 20000, "71997443697501228179"),
            ("00:50", 180223, "58589277912776864555"), ("00:55", 180224, "16328229234437142451"),
            ("01:44", 1_818_623, "45001756646344378677"), ("01:49", 1_818_624, "15810488151857362998"),
            ("01:54", 18_201_624, "42222423067848970276"),
        ]
        for (time, tenths, digits) in steps {
            #expect(try Self.credit(at: "2004-04-01T\(time):00Z", tenths: tenths).digits(with: Self.meter) == digits)
        }
    }

    @Test("CTSA05: a key change pair is encrypted under the current key and carries the new key back out")
    func ctsa05() throws {
        let cases: [(pan: String, from: Int, to: Int, first: String, second: String)] = [
            ("600727000000000009", 1, 2, "51638423060042734509", "15361891762113502242"),
            ("600727000000000009", 2, 1, "26553210520543055412", "00943705441908264439"),
            ("000001000000000082", 1, 2, "36495265416911568628", "35908059266238070883"),
        ]
        for item in cases {
            let current = Self.key(pan: item.pan, tariffIndex: item.from)
            let new = Self.key(pan: item.pan, tariffIndex: item.to)
            let pair = STSToken.keyChange(to: new, keyType: 2, keyRevision: 1, tariffIndex: UInt8(item.to), rollover: false)
            #expect(try pair.first.digits(with: current) == item.first)
            #expect(try pair.second.digits(with: current) == item.second)
            guard case .keyChangeFirst(let first) = try STSToken(digits: item.first, key: current),
                case .keyChangeSecond(let second) = try STSToken(digits: item.second, key: current)
            else {
                Issue.record("the pair did not decode as a key change")
                continue
            }
            #expect(STSDecoderKey(newKeyHigh: first.newKeyHigh, newKeyLow: second.newKeyLow) == new)
            #expect(first.keyExpiryHigh << 4 | second.keyExpiryLow == 0xFF)
            #expect((first.keyRevision, first.keyType, first.rollover, second.tariffIndex) == (1, 2, false, UInt8(item.to)))
        }
        let rollover = STSToken.keyChange(to: Self.meter, keyType: 2, keyRevision: 2, tariffIndex: 1, rollover: true)
        guard case .keyChangeFirst(let first) = try STSToken(digits: rollover.first.digits(with: Self.meter), key: Self.meter) else {
            Issue.record("the rollover token did not decode")
            return
        }
        #expect(first.rollover && first.keyRevision == 2)
    }

    @Test("the CRC matches the STS Association's published example token")
    func crcExample() {
        // Class 0, subclass 0, random 5, TID 0xC02A55 (2016-12-11 15:49 from 1993), amount 1000.0 → CRC 0x1970.
        #expect(STSCRC.checksum(0x2710 | 0xC0_2A55 << 16 | 5 << 40) == 0x1970)
    }

    @Test("a token decodes only with the decoder key of its meter")
    func decodesOnlyForItsMeter() throws {
        let token = try Self.credit(at: "2004-03-01T13:55:00Z", tenths: 1)
        let digits = try token.digits(with: Self.meter)
        #expect(try STSToken(digits: digits, key: Self.meter) == token)
        #expect(throws: STSError.notForThisMeter) { try STSToken(digits: digits, key: Self.otherMeter) }
        #expect(throws: STSError.notForThisMeter) { try STSToken(digits: "23716100501183194198", key: Self.meter) }
        #expect(STSError.notForThisMeter.description == "This token is not for this meter.")
    }

    @Test("every credit token comes back from its 20 digits unchanged")
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let key = STSDecoderKey(value: generator.next())
            let token = STSToken.credit(
                .init(
                    service: [.electricity, .water, .gas, .time].randomElement()!, random: .random(in: 0...15),
                    identifier: try STSTokenIdentifier(minutes: .random(in: 0...STSTokenIdentifier.maximum)),
                    amount: STSAmount(encoded: .random(in: 0...UInt16.max))))
            let digits = try token.digits(with: key)
            #expect(digits.count == 20)
            #expect(try STSToken(digits: digits, key: key) == token)
            let block: UInt64 = generator.next()
            #expect(EA07.decrypt(EA07.encrypt(block, with: key), with: key) == block)
        }
    }

    @Test("typed tokens are read with or without group separators and refused with a reason")
    func typedTokens() throws {
        #expect(try STSToken(digits: "2371 6100 5011 8319 4197", key: Self.meter) == Self.credit(at: "2004-03-01T13:55:00Z", tenths: 1))
        #expect(try STSToken(digits: "2371-6100-5011-8319-4197", key: Self.meter) == Self.credit(at: "2004-03-01T13:55:00Z", tenths: 1))
        #expect(throws: STSError.tokenLength) { try STSToken(digits: "2371610050118319419", key: Self.meter) }
        #expect(throws: STSError.tokenNotDigits) { try STSToken(digits: "2371610050118319419x", key: Self.meter) }
        #expect(throws: STSError.tokenOutOfRange) { try STSToken(digits: "73786976294838206464", key: Self.meter) }  // 2^66
        #expect(STSError.tokenLength.description == "A token has 20 digits.")
    }

    @Test("amounts round up to the next encodable value, decode back, and refuse what cannot be encoded")
    func amounts() throws {
        let cases: [(tenths: Int, encoded: UInt16, back: Int)] = [
            (0, 0, 0), (1, 1, 1), (16383, 0x3FFF, 16383), (16384, 0x4000, 16384), (16385, 0x4001, 16394),
            (20000, 0x416A, 20004), (180_224, 0x8000, 180_224), (1_818_623, 0xC000, 1_818_624), (18_201_624, 0xFFFF, 18_201_624),
        ]
        for item in cases {
            let amount = try STSAmount(roundingUp: item.tenths)
            #expect(amount.encoded == item.encoded)
            #expect(amount.tenths == item.back)
            #expect(STSAmount(encoded: item.encoded).tenths == item.back)
        }
        #expect(throws: STSError.amountOutOfRange) { try STSAmount(roundingUp: -1) }
        #expect(throws: STSError.amountOutOfRange) { try STSAmount(roundingUp: 18_201_625) }
    }

    @Test("token identifiers count whole minutes from the base date and refuse dates outside their 24 bits")
    func identifiers() throws {
        let identifier = try STSTokenIdentifier(issuedAt: Self.utc("2004-03-01T13:55:59Z"), baseDate: .y1993)
        #expect(identifier.minutes == 5_871_715)
        #expect(identifier.issuedAt(baseDate: .y1993) == Self.utc("2004-03-01T13:55:00Z"))
        #expect(try STSTokenIdentifier(issuedAt: Self.utc("2024-11-24T20:15:59Z"), baseDate: .y1993).minutes == 0xFF_FFFF)
        #expect(throws: STSError.dateOutOfRange(.y1993)) {
            try STSTokenIdentifier(issuedAt: Self.utc("2024-11-24T20:16:00Z"), baseDate: .y1993)
        }
        #expect(throws: STSError.dateOutOfRange(.y2014)) {
            try STSTokenIdentifier(issuedAt: Self.utc("2013-12-31T23:59:00Z"), baseDate: .y2014)
        }
        #expect(throws: STSError.identifierOutOfRange) { try STSTokenIdentifier(minutes: 0x100_0000) }
        #expect(try STSTokenIdentifier(issuedAt: Self.utc("2024-11-24T20:16:00Z"), baseDate: .y2014).minutes == 5_732_416)
    }

    @Test("the oldest usable base date moves from 1993 to 2014 after 24 November 2024, 20:15 UTC, and to 2035 in 2045")
    func baseDates() {
        #expect(STSBaseDate.oldest(numbering: Self.utc("1992-12-31T23:59:00Z")) == nil)
        #expect(STSBaseDate.oldest(numbering: Self.utc("2024-11-24T20:15:59Z")) == .y1993)
        #expect(STSBaseDate.oldest(numbering: Self.utc("2024-11-24T20:16:00Z")) == .y2014)
        #expect(STSBaseDate.oldest(numbering: Self.utc("2045-11-24T20:16:00Z")) == .y2035)
        #expect(STSBaseDate.y2014.lastMinute == Self.utc("2045-11-24T20:15:00Z"))
    }

    @Test("a meter's next token takes a fresh identifier even within the same minute")
    func nextIdentifier() throws {
        let time = Self.utc("2025-01-01T08:00:30Z")
        let first = try STSTokenIdentifier.next(issuedAt: time, baseDate: .y2014, after: nil)
        let second = try STSTokenIdentifier.next(issuedAt: time, baseDate: .y2014, after: first)
        #expect(second.minutes == first.minutes + 1)
        #expect(try STSTokenIdentifier.next(issuedAt: time.addingTimeInterval(600), baseDate: .y2014, after: second).minutes == first.minutes + 10)
    }

    @Test("DKGA-02 refuses malformed meter numbers and key parameters")
    func keyParameters() {
        #expect(throws: STSError.invalidMeterNumber) {
            try STSDecoderKey(vendingKey: 1, keyType: 2, supplyGroupCode: "123456", tariffIndex: 1, keyRevision: 1, pan: "60072700000000000")
        }
        #expect(throws: STSError.invalidKeyParameter("A supply group code has 6 digits.")) {
            try STSDecoderKey(vendingKey: 1, keyType: 2, supplyGroupCode: "12345", tariffIndex: 1, keyRevision: 1, pan: "600727000000000009")
        }
        #expect(throws: STSError.invalidKeyParameter("A key revision number is from 1 to 9.")) {
            try STSDecoderKey(vendingKey: 1, keyType: 2, supplyGroupCode: "123456", tariffIndex: 1, keyRevision: 0, pan: "600727000000000009")
        }
    }
}
