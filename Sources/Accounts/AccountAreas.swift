import Platform

/// The areas accounts are in, for the area filters of finance's and support's lists.
public enum AccountAreas {
    /// One step of the area index per area, not a pass over every account (105 ms at a million
    /// accounts for `SELECT DISTINCT`).
    public static func list(in database: Database) async throws -> [String] {
        try await database.query(
            """
            WITH RECURSIVE areas (area) AS (
                SELECT min(area) FROM accounts
                UNION ALL SELECT (SELECT min(a.area) FROM accounts a WHERE a.area > areas.area) FROM areas WHERE areas.area IS NOT NULL)
            SELECT area FROM areas WHERE area IS NOT NULL ORDER BY area
            """
        ).rows.map { try $0.decode("area") }
    }
}
