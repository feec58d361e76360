import ExhibitTesting
import Foundation
import LabIndex
import PostgresNIO
import Testing

/// The case tables partitioned by case (migration `v5-partitions`): a lab made by the previous
/// version (migrations through `v4-hashsets`, every case in one table) upgrades with every row,
/// grant and answer kept; re-publishing swaps a case's partitions; publishes of two cases and
/// readers running at once neither fail nor lose rows.
@Suite("Lab index: partitions by case")
struct LabPartitionTests {
    static let tables = ["lab_cases", "lab_evidence", "lab_files", "lab_pdq", "lab_chats", "lab_participants", "lab_messages",
                         "lab_attachments", "lab_known_matches"]
    /// The camera original's PDQ hash (as in LabTLSTests): its re-encodings appear in both cases.
    static let concert = "64d69b2966d69939b36b66d69929666664d699296656a52b912964761b2b5ad4"

    static func strings(_ lab: LabIndex, _ sql: String) async throws -> [String] {
        var out: [String] = []
        for try await s in try await lab.rawQuery(sql).decode(String.self) { out.append(s) }
        return out
    }

    @Test func aV4LabUpgradesWithEveryRowAndGrantKept() async throws {
        let (a, b, _) = try LabFixture.cases.get()
        try await LabFixture.withLab { cluster, url in
            // The reference: both cases published by this version.
            let (reference, rows) = try await LabFixture.session(url) { lab in
                _ = try await lab.publish(caseDatabase: a)
                _ = try await lab.publish(caseDatabase: b)
                var rows: [String: [String]] = [:]
                for t in Self.tables { rows[t] = try await Self.strings(lab, "SELECT t::text FROM \(t) t ORDER BY 1") }
                try await lab.rawExecute("CREATE DATABASE old")
                return (try await LabPublishTests.dump(lab), rows)
            }
            try #require(!(rows["lab_pdq"] ?? []).isEmpty && !(rows["lab_messages"] ?? []).isEmpty)

            // A lab of the previous version holding the same rows, case A granted to a team.
            let old = try LabURL(parsing: cluster.url.replacingOccurrences(of: "/lab?", with: "/old?"))
            try await LabFixture.session(old) { lab in
                #expect(try await lab.migrate(through: "v4-hashsets") == ["v1-lab", "v2-queue", "v3-access", "v4-hashsets"])
                var kind = try await Self.strings(lab, "SELECT relkind::text FROM pg_class WHERE relname = 'lab_pdq'")
                #expect(kind == ["r"], "v4: one plain table")
                for t in Self.tables {
                    try await lab.connection(for: "INSERT INTO \(t) SELECT (r::\(t)).* FROM unnest($1::text[]) r", rows[t] ?? [])
                }
                for sql in ["SELECT setval('lab_cases_case_id_seq', (SELECT max(case_id) FROM lab_cases))",
                            "CREATE ROLE team_old NOLOGIN", "CREATE ROLE kim_old LOGIN IN ROLE team_old",
                            "INSERT INTO lab_case_access (case_name, role) VALUES ('LAB-A', 'team_old')",
                            // What `lab access --grant` of the previous version gave.
                            "GRANT SELECT ON lab_migrations, \(Self.tables.joined(separator: ", ")), lab_hashsets, lab_hashset_entries TO team_old"] {
                    try await lab.rawExecute(sql)
                }
                // The upgrade: `lab init` of this version.
                #expect(try await lab.migrate() == ["v5-partitions", "v6-pdq-keys"])
                #expect(try await LabPublishTests.dump(lab) == reference, "rows changed by the upgrade")
                kind = try await Self.strings(lab, "SELECT relkind::text FROM pg_class WHERE relname = 'lab_pdq'")
                #expect(kind == ["p"], "v5: partitioned")
                let parts = try await Self.strings(lab, """
                    SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname IN ('lab_files', 'lab_pdq', 'lab_messages') ORDER BY 1
                    """)
                #expect(parts == ["lab_files_case1", "lab_files_case2", "lab_messages_case1", "lab_messages_case2", "lab_pdq_case1", "lab_pdq_case2"])
                // Every index of the parents is there and attached in each partition (no duplicates).
                let indexes = try await Self.strings(lab, "SELECT indexname::text FROM pg_indexes WHERE tablename = 'lab_pdq_case2' ORDER BY 1")
                // v6-pdq-keys: the eleven probe keys replace the sixteen chunk indexes, named as a publish names them.
                #expect(indexes == (["lab_pdq_case2_file", "lab_pdq_case2_pkey"] + (0..<11).map { "lab_pdq_case2_k\($0)" }).sorted(), "\(indexes)")

                // Answers after the upgrade: spread finds the concert picture in both cases.
                let s = try await lab.spread(sha256: nil, pdq: [Self.concert])
                #expect(s.cases == 2, "\(s.cases)")
                // Re-publishing a migrated case swaps its partitions: the same rows.
                _ = try await lab.publish(caseDatabase: a)
                #expect(try await LabPublishTests.dump(lab) == reference, "re-publish after the upgrade changed rows")
            }
            // The grant holds on the new tables: kim sees case A only, and no partition directly.
            let kim = try LabAccessTests.url(cluster, as: "kim_old").replacingDatabase("old")
            try await LabFixture.session(kim) { lab in
                let ids = try await Self.strings(lab, "SELECT DISTINCT case_id::text FROM lab_pdq UNION SELECT DISTINCT case_id::text FROM lab_messages")
                #expect(ids == ["1"], "\(ids)")
                await #expect(throws: (any Error).self) { _ = try await Self.strings(lab, "SELECT hash_hex FROM lab_pdq_case2") }
            }
        }
    }

    @Test func concurrentPublishesAndReadersLoseNothing() async throws {
        let (a, b, _) = try LabFixture.cases.get()
        try await LabFixture.withLab { _, url in
            let reference = try await LabFixture.session(url) { lab in
                _ = try await lab.publish(caseDatabase: a)
                _ = try await lab.publish(caseDatabase: b)
                return try await LabPublishTests.dump(lab)
            }
            // Three rounds: case A and case B re-published at once while a reader asks spread.
            try await withThrowingTaskGroup(of: Int.self) { group in
                for db in [a, b] {
                    group.addTask { try await LabFixture.session(url) { lab in for _ in 0..<3 { _ = try await lab.publish(caseDatabase: db) }; return 0 } }
                }
                group.addTask {
                    try await LabFixture.session(url) { lab in
                        var seen = 0
                        for _ in 0..<20 { seen = max(seen, try await lab.spread(sha256: nil, pdq: [Self.concert]).cases) }
                        return seen
                    }
                }
                for try await seen in group where seen != 0 { #expect(seen == 2, "a reader saw \(seen) case(s)") }
            }
            let after = try await LabFixture.session(url) { try await LabPublishTests.dump($0) }
            #expect(after == reference)
            // No load table left behind.
            let left = try await LabFixture.session(url) { try await Self.strings($0, "SELECT relname::text FROM pg_class WHERE relname LIKE '%\\_load%'") }
            #expect(left.isEmpty, "\(left)")
        }
    }
}

extension LabIndex {
    /// Runs `sql` with one text-array parameter (the test's bulk insert of row literals).
    func connection(for sql: String, _ values: [String]) async throws {
        var binds = PostgresBindings()
        binds.append(values)
        _ = try await rawQuery(PostgresQuery(unsafeSQL: sql, binds: binds))
    }
}

extension LabURL {
    /// The same server and role, another database.
    func replacingDatabase(_ name: String) -> LabURL {
        var u = self
        u.database = name
        return u
    }
}
