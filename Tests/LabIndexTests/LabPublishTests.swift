import ExhibitTesting
import Foundation
import GRDB
import LabIndex
import PostgresNIO
import Testing

/// `lab init` and `lab publish` on a real PostgreSQL: named migrations applied once, publishing
/// idempotent (same case, same rows), every published row equal to its case-database row, and
/// hostile case databases refused or published with recorded warnings, never half-published.
@Suite("Lab index: init and publish")
struct LabPublishTests {
    /// Every lab table as text rows (lab_cases without its publish time), in key order.
    static func dump(_ lab: LabIndex) async throws -> [String] {
        var out: [String] = []
        let tables = ["lab_evidence", "lab_files", "lab_pdq", "lab_chats", "lab_participants", "lab_messages", "lab_attachments", "lab_known_matches"]
        for t in tables {
            for try await r in try await lab.rawQuery("SELECT t::text FROM \(t) t ORDER BY 1").decode(String.self) { out.append("\(t) \(r)") }
        }
        for try await r in try await lab.rawQuery("SELECT case_id || ' ' || name || ' ' || db_path || ' ' || row_counts::text FROM lab_cases ORDER BY case_id").decode(String.self) {
            out.append("lab_cases \(r)")
        }
        return out
    }

    @Test func initIsNamedAndAppendOnly() async throws {
        try await LabFixture.withLab { _, url in
            try await LabFixture.session(url) { lab in
                #expect(try await lab.appliedMigrations() == ["v1-lab", "v2-queue", "v3-access", "v4-hashsets", "v5-partitions", "v6-pdq-keys"])
                #expect(try await lab.migrate() == [], "a second init applies nothing")
                // A lab index made by a newer Exhibit is refused, not half-understood.
                try await lab.rawExecute("INSERT INTO lab_migrations (name, position) VALUES ('v99-future', 99)")
                await #expect(throws: LabError.self) { try await lab.migrate() }
                await #expect(throws: LabError.self) { try await lab.publish(caseDatabase: try LabFixture.cases.get().a) }
            }
        }
    }

    @Test func publishBeforeInitSaysSo() async throws {
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let url = try LabURL(parsing: cluster.url)
        let message: String = try await LabFixture.session(url) { lab in
            do { _ = try await lab.publish(caseDatabase: try LabFixture.cases.get().a); return "published" } catch { return "\(error)" }
        }
        #expect(message.contains("lab init"), "\(message)")
    }

    @Test func publishingTwiceGivesTheSameRowsAndEveryRowMatchesTheCase() async throws {
        let (a, b, _) = try LabFixture.cases.get()
        try await LabFixture.withLab { _, url in
            try await LabFixture.session(url) { lab in
                let r1 = try await lab.publish(caseDatabase: a)
                let first = try await Self.dump(lab)
                _ = try await lab.publish(caseDatabase: b)
                let r2 = try await lab.publish(caseDatabase: a)
                #expect(r1 == r2, "same report")
                let again = try await Self.dump(lab)
                #expect(again.count > first.count, "case B added rows")
                // Case A's rows are exactly those of the first publish (case_id is 1 both times).
                let aRows = again.filter { line in
                    let rest = line.split(separator: " ", maxSplits: 1).last ?? ""
                    return rest.hasPrefix("(1,") || rest.hasPrefix("1 ")
                }
                #expect(aRows == first, "re-publishing case A changed its rows")
                #expect(r1.caseName == "LAB-A" && r1.caseID == 1 && r1.warnings.isEmpty, "\(r1)")

                // Row counts equal the case database's, table by table.
                let q = try LabFixture.open(a)
                let expected: [String: Int] = try await q.read { db in
                    [
                        "lab_evidence": try Int.fetchOne(db, sql: "SELECT count(*) FROM evidence") ?? -1,
                        "lab_files": try Int.fetchOne(db, sql: "SELECT count(*) FROM files") ?? -1,
                        "lab_pdq": try Int.fetchOne(db, sql: "SELECT count(*) FROM media_hashes") ?? -1,
                        "lab_chats": try Int.fetchOne(db, sql: "SELECT count(*) FROM chats") ?? -1,
                        "lab_participants": try Int.fetchOne(db, sql: "SELECT count(*) FROM participants") ?? -1,
                        "lab_messages": try Int.fetchOne(db, sql: "SELECT count(*) FROM messages") ?? -1,
                        "lab_attachments": try Int.fetchOne(db, sql: "SELECT count(*) FROM attachments") ?? -1,
                        "lab_known_matches": try Int.fetchOne(db, sql: "SELECT count(*) FROM hashset_matches") ?? -1,
                    ]
                }
                #expect(r1.rows == expected)
                #expect(expected.values.allSatisfy { $0 > 0 }, "every table of the fixture has rows: \(expected)")

                // Every file row, in full, as the case database has it.
                let sqliteFiles: [String] = try await q.read { db in
                    try Row.fetchAll(db, sql: """
                        SELECT f.id, f.evidence_id, f.entry_key, f.path, f.name, f.kind, f.size, f.md5, f.sha1, f.sha256, f.mime, f.status,
                               f.device_path, t.utc, t.utc_us, t.basis
                        FROM files f LEFT JOIN file_times t ON t.file_id = f.id AND t.kind = 'modified' ORDER BY f.id
                        """).map { r in
                            (0..<r.count).map { i -> String in
                                switch (r[i] as DatabaseValue).storage {
                                case .null: return "∅"
                                case .int64(let v): return String(v)
                                case .string(let v): return v
                                default: return "?"
                                }
                            }.joined(separator: "|")
                        }
                }
                var labFiles: [String] = []
                for try await row in try await lab.rawQuery("""
                    SELECT json_build_array(file_id, evidence_id, entry_key, path, name, kind, size, md5, sha1, sha256, mime, status,
                                            device_path, modified_utc, modified_utc_us, modified_basis)::text
                    FROM lab_files WHERE case_id = 1 ORDER BY file_id
                    """).decode(String.self) {
                    let values = try JSONSerialization.jsonObject(with: Data(row.utf8)) as? [Any] ?? []
                    labFiles.append(values.map { $0 is NSNull ? "∅" : "\($0)" }.joined(separator: "|"))
                }
                #expect(labFiles == sqliteFiles)
            }
        }
    }

    @Test func hostileCaseDatabasesAreRefusedOrPublishedWithWarnings() async throws {
        let (a, _, _) = try LabFixture.cases.get()
        let dir = try TestDirectory("lab-hostile")
        defer { dir.remove() }
        // A copy of case A with a broken PDQ hash, a text where an integer belongs, and a message
        // holding NUL, tab, newline, backslash and Korean.
        let bad = dir.path("bad.sqlite")
        try FileManager.default.copyItem(atPath: a, toPath: bad)
        let nasty = "a\u{0}b\tc\nd\\e 딥페이크 \\N"
        try await DatabaseQueue(path: bad).write { db in
            try db.execute(sql: "UPDATE cases SET name = 'LAB-BAD'")
            try db.execute(sql: "UPDATE media_hashes SET hash = '\(String(repeating: "z", count: 64))' WHERE id = (SELECT min(id) FROM media_hashes)")
            try db.execute(sql: "UPDATE files SET size = 'twelve' WHERE id = 1")
            // Bound as bytes: a Swift string bound as text would stop at the NUL.
            try db.execute(sql: "UPDATE messages SET text = CAST(? AS TEXT), text_nfc = NULL WHERE id = 1", arguments: [Data(nasty.utf8)])
        }
        // Not a case database at all, and no file.
        let other = dir.path("other.sqlite")
        try await DatabaseQueue(path: other).write { try $0.execute(sql: "CREATE TABLE cases (name TEXT); INSERT INTO cases VALUES ('X')") }
        try await LabFixture.withLab { _, url in
            try await LabFixture.session(url) { lab in
                let r = try await lab.publish(caseDatabase: bad)
                #expect(r.rows["lab_pdq"] == 1, "the broken hash is left out, the other kept")
                #expect(r.warnings.contains { $0.hasPrefix("lab_pdq: 1 row(s) left out") }, "\(r.warnings)")
                #expect(r.warnings.contains { $0.hasPrefix("lab_files: 1 value(s) not integers") }, "\(r.warnings)")
                var sizes: [Int?] = []
                for try await s in try await lab.rawQuery("SELECT size FROM lab_files WHERE file_id = 1").decode(Int?.self) { sizes.append(s) }
                #expect(sizes == [nil])
                let hits = try await lab.search("딥페이크 \\N")
                #expect(hits.map(\.text) == [nasty.replacingOccurrences(of: "\u{0}", with: "\u{2400}")])
                #expect(hits.first?.messageID == 1 && hits.first?.caseName == "LAB-BAD")
                #expect(try await lab.search("%").isEmpty, "LIKE wildcards are searched as text")

                for path in [other, dir.path("missing.sqlite")] {
                    await #expect(throws: LabError.self) { try await lab.publish(caseDatabase: path) }
                }
                var cases: [String] = []
                for try await n in try await lab.rawQuery("SELECT name FROM lab_cases ORDER BY name").decode(String.self) { cases.append(n) }
                #expect(cases == ["LAB-BAD"], "refused databases publish nothing")
            }
        }
    }
}
