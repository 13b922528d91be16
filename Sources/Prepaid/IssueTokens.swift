import Foundation
import MeterProtocol
import Metering
import Platform

/// BL-8: makes a prepaid meter's tokens, in the caller's transaction. A meter still on an older key
/// revision or base date gets its key change pair first (made with its current key); then the
/// credit, numbered with the minute of issue, or one after the meter's last token if that minute
/// is taken, so a meter never sees an identifier twice. A smart prepaid meter is also sent each
/// token through the bridge (a queued command).
enum IssueTokens {
    static func issue(
        _ kind: PrepaidToken.Kind, tenths: Int, meterID: Int64, accountID: Int64, paymentID: Int64?, by userID: Int64?, note: String? = nil,
        box: SecretBox, at now: Date, on connection: PostgresConnection
    ) throws -> [PrepaidToken] {
        let meter = try PrepaidMeter.locked(meterID, at: now, on: connection)
        guard let oldest = STSBaseDate.oldest(numbering: now) else { throw TokenRefused.unavailable("no base date numbers \(now)") }
        // A meter moved to a newer base date already keeps it; one on an older base date moves now.
        let base = max(meter.baseDate, oldest)
        let amount: STSAmount
        do { amount = try STSAmount(roundingUp: tenths) } catch { throw TokenRefused.amount(error.description) }
        guard tenths > 0 else { throw TokenRefused.amount("A token carries at least 0.1 kWh.") }
        let newest: Int =
            try connection.query(
                "SELECT max(key_revision) AS revision FROM vending_keys WHERE supply_group = \(meter.supplyGroup)"
            ).rows[0].decode("revision", as: Int?.self) ?? meter.keyRevision
        let current = try decoderKey(meter, revision: meter.keyRevision, box: box, on: connection)
        var issued: [PrepaidToken] = []
        var key = current
        if newest != meter.keyRevision || meter.baseDate < base {
            let next = try decoderKey(meter, revision: newest, box: box, on: connection)
            let pair = STSToken.keyChange(
                to: next.key, keyType: UInt8(next.type), keyRevision: UInt8(newest), tariffIndex: UInt8(meter.tariffIndex),
                rollover: meter.baseDate < base)
            for token in [pair.first, pair.second] {
                issued.append(
                    try store(
                        .keyChange, digits: try token.digits(with: current.key), identifier: 0, base: base, tenths: 0, meter: meter,
                        accountID: accountID, paymentID: paymentID, userID: userID, note: nil, at: now, on: connection))
            }
            try connection.execute(
                """
                UPDATE prepaid_meters SET key_revision = \(newest), base_year = \(base.rawValue), updated_at = \(now) WHERE meter_id = \(meterID)
                """)
            key = next
        }
        let thisMinute = try STSTokenIdentifier(issuedAt: now, baseDate: base).minutes
        let last: Int? = try connection.query(
            """
            SELECT max(token_id) AS last FROM prepaid_tokens WHERE meter_id = \(meterID) AND base_year = \(base.rawValue) AND kind <> 'key_change'
            """
        ).rows[0].decode("last")
        let identifier = try STSTokenIdentifier(minutes: max(thisMinute, UInt32((last ?? -1) + 1)))
        let credit = STSToken.credit(.init(identifier: identifier, amount: amount))
        issued.append(
            try store(
                kind, digits: try credit.digits(with: key.key), identifier: Int(identifier.minutes), base: base, tenths: amount.tenths,
                meter: meter, accountID: accountID, paymentID: paymentID, userID: userID, note: note, at: now, on: connection))
        return issued
    }

    private static func decoderKey(_ meter: PrepaidMeter, revision: Int, box: SecretBox, on connection: PostgresConnection) throws -> (
        key: STSDecoderKey, type: Int
    ) {
        guard let vending = try VendingKeys.open(supplyGroup: meter.supplyGroup, keyRevision: revision, box: box, on: connection) else {
            throw TokenRefused.keyUnavailable
        }
        let key = try STSDecoderKey(
            vendingKey: vending.key, keyType: vending.type, supplyGroupCode: meter.supplyGroup, tariffIndex: meter.tariffIndex,
            keyRevision: revision, pan: meter.pan)
        return (key, vending.type)
    }

    private static func store(
        _ kind: PrepaidToken.Kind, digits: String, identifier: Int, base: STSBaseDate, tenths: Int, meter: PrepaidMeter, accountID: Int64,
        paymentID: Int64?, userID: Int64?, note: String?, at now: Date, on connection: PostgresConnection
    ) throws -> PrepaidToken {
        let command =
            meter.connectable ? try MeterCommands.queue(.token, payload: digits, meterID: meter.meterID, by: userID, at: now, on: connection) : nil
        try connection.execute(
            """
            INSERT INTO prepaid_tokens (meter_id, account_id, kind, token_id, base_year, units, digits, payment_id, issued_by, issued_at, command_id, note)
            VALUES (\(meter.meterID), \(accountID), \(kind.rawValue), \(identifier), \(base.rawValue), \(tenths), \(digits), \(paymentID), \(userID),
                    \(now), \(command), \(note))
            """)
        return PrepaidToken(kind: kind, digits: digits, tenths: tenths, delivery: meter.connectable ? .waiting : .typeIn)
    }
}
