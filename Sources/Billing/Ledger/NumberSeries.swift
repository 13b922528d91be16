import Platform

/// Gapless document numbers (`CN-2026-000001`): one counter per prefix and year in
/// `bill_number_series`, shared by credit notes and receipts (bill runs move theirs in batches).
public enum NumberSeries {
    /// The next number of a series and year. The counter moves in the caller's transaction, so a
    /// failure rolls the number back with what it numbered: no gap.
    public static func next(in prefix: String, year: Int, on connection: PostgresConnection) throws -> String {
        let serial = try connection.query(
            """
            INSERT INTO bill_number_series (prefix, year, last) VALUES ($1, $2, 1)
            ON CONFLICT (prefix, year) DO UPDATE SET last = bill_number_series.last + 1 RETURNING last
            """, [prefix, year]
        ).rows[0].decode("last", as: Int.self)
        // Six digits at least, as bill runs number them; a seventh when a year passes 999,999.
        let digits = String(serial)
        return "\(prefix)-\(year)-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits)"
    }
}
