import Foundation
import Testing

@testable import Platform

@Suite("The schema")
struct SchemaTests {
    /// The tables the code deletes rows from (`DELETE FROM t` anywhere in Sources).
    static func tablesDeletedFrom() throws -> Set<String> {
        let sources = URL(fileURLWithPath: Checkout.root + "/Sources")
        let files =
            FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        var tables: Set<String> = []
        for file in files {
            for match in try String(contentsOf: file, encoding: .utf8).matches(of: /DELETE FROM ([a-z_]+)/) { tables.insert(String(match.1)) }
        }
        return tables
    }

    @Test("every foreign key into a table whose rows are deleted has an index to check it with, so a delete is not a scan per row")
    func foreignKeysIntoDeletedTablesAreIndexed() async throws {
        let deleted = try Self.tablesDeletedFrom()
        #expect(deleted.isSuperset(of: ["bills", "users", "sessions"]))
        try await withTestDatabase { (db: Database) async throws in
            let offenders: [String] = try await db.query(
                """
                WITH RECURSIVE deleted (oid) AS (
                    SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public' AND c.relname = ANY(\(TextList(Array(deleted)))::text[])
                    -- Rows that go with them (ON DELETE CASCADE) are deleted too.
                    UNION SELECT k.conrelid FROM pg_constraint k JOIN deleted d ON k.confrelid = d.oid WHERE k.contype = 'f' AND k.confdeltype = 'c'
                )
                SELECT c.conrelid::regclass::text || ' (' || string_agg(a.attname, ', ') || ') → ' || c.confrelid::regclass::text AS offender
                FROM pg_constraint c JOIN LATERAL unnest(c.conkey) k(n) ON true
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
                WHERE c.contype = 'f' AND c.confrelid IN (SELECT oid FROM deleted) AND NOT EXISTS (
                    SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND (i.indkey::int2[])[0] = c.conkey[1]
                      AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] @> c.conkey
                      AND (i.indpred IS NULL OR pg_get_expr(i.indpred, i.indrelid) ~ ' IS NOT NULL\\)?$'))
                GROUP BY c.oid, c.conrelid, c.confrelid ORDER BY 1
                """
            ).rows.map { try $0.decode("offender") }
            #expect(offenders.isEmpty, "\(offenders)")
        }
    }
}
