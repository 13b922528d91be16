import Foundation
import MeterProtocol
import Platform

/// What a prepaid meter's decoder key is made from (DKGA-02): its meter number, supply group,
/// tariff index and key revision, and the base date its token identifiers count from.
struct PrepaidMeter: Sendable {
    let meterID: Int64
    let pan: String
    let supplyGroup: String
    let tariffIndex: Int
    let keyRevision: Int
    let baseDate: STSBaseDate
    /// A smart prepaid meter with a registered key: tokens are also sent to it through a bridge.
    let connectable: Bool

    /// Gives every prepaid meter without key settings its settings under this key; the meter
    /// number is the issuer number, the meter's id in 11 digits, and a Luhn check digit.
    static func enrolAll(supplyGroup: String, keyRevision: Int, at now: Date, on connection: PostgresConnection) throws -> Int {
        try enrol("m.kind = 'prepaid'", supplyGroup: supplyGroup, keyRevision: keyRevision, at: now, on: connection)
    }

    private static func enrol(
        _ which: SQL, supplyGroup: String, keyRevision: Int, at now: Date, on connection: PostgresConnection, issuer: String = "600727"
    ) throws -> Int {
        let base = (STSBaseDate.oldest(numbering: now) ?? .y2035).rawValue
        return try connection.query(
            """
            WITH numbered AS (
                SELECT m.id, \(issuer) || lpad(m.id::text, 11, '0') AS digits FROM meters m
                WHERE \(which) AND NOT EXISTS (SELECT 1 FROM prepaid_meters p WHERE p.meter_id = m.id)
            ), enrolled AS (
                INSERT INTO prepaid_meters (meter_id, pan, supply_group, tariff_index, key_revision, base_year, updated_at)
                SELECT id, digits || ((10 - (
                    SELECT sum(CASE WHEN i % 2 = 1 THEN (d * 2) / 10 + (d * 2) % 10 ELSE d END)
                    FROM (SELECT i, substr(reverse(digits), i, 1)::int AS d FROM generate_series(1, 17) i) x
                ) % 10) % 10)::text, \(supplyGroup), '01', \(keyRevision), \(base), \(now)
                FROM numbered
                ON CONFLICT DO NOTHING
                RETURNING meter_id
            )
            SELECT count(*) AS n FROM enrolled
            """
        ).rows[0].decode("n")
    }

    /// The meter's settings, its row locked until the caller's transaction ends (so two tokens
    /// for one meter are numbered one after the other); a prepaid meter not enrolled yet is
    /// enrolled under the newest vending key.
    static func locked(_ meterID: Int64, at now: Date, on connection: PostgresConnection) throws(TokenRefused) -> PrepaidMeter {
        do {
            if let meter = try find(meterID, on: connection) { return meter }
            guard
                let key = try connection.query("SELECT supply_group, key_revision FROM vending_keys ORDER BY loaded_at DESC, id DESC LIMIT 1")
                    .rows.first
            else { throw TokenRefused.noVendingKey }
            _ = try enrol(
                "m.id = \(meterID) AND m.kind = 'prepaid'", supplyGroup: try key.decode("supply_group"),
                keyRevision: try key.decode("key_revision"), at: now, on: connection)
            guard let meter = try find(meterID, on: connection) else { throw TokenRefused.notPrepaid }
            return meter
        } catch let refused as TokenRefused {
            throw refused
        } catch {
            throw .unavailable(String(describing: error))
        }
    }

    private static func find(_ meterID: Int64, on connection: PostgresConnection) throws -> PrepaidMeter? {
        guard
            let row = try connection.query(
                """
                SELECT p.meter_id, p.pan, p.supply_group, p.tariff_index, p.key_revision, p.base_year, m.public_key IS NOT NULL AS connectable
                FROM prepaid_meters p JOIN meters m ON m.id = p.meter_id WHERE p.meter_id = \(meterID) FOR UPDATE OF p
                """
            ).rows.first
        else { return nil }
        return PrepaidMeter(
            meterID: try row.decode("meter_id"), pan: try row.decode("pan"), supplyGroup: try row.decode("supply_group"),
            tariffIndex: Int(try row.decode("tariff_index", as: String.self)) ?? 1, keyRevision: try row.decode("key_revision"),
            baseDate: STSBaseDate(rawValue: try row.decode("base_year")) ?? .y2014, connectable: try row.decode("connectable"))
    }
}
