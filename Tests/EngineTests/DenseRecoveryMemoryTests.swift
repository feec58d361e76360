import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Deleted-record recovery on a dense database (issue 13, bad input: "memory stays bounded"):
/// every leaf page full of deleted rows. The `sqlite-recovery` analyzer hands rows to the store as
/// recovery releases them, so the ingest's peak RSS does not grow with the recovered rows.
/// Measured on the real binary (wait4 rusage of `exhibit ingest` and the worker it waits for).
@Suite(.serialized)
struct DenseRecoveryMemoryTests {
    /// `tables` tables of `rows` rows of about 70 bytes, all but every `keep`-th row deleted
    /// (secure_delete off, rollback journal): freeblocks and freed pages everywhere. Rowids stay
    /// below 16,384; the same database as bench/recovery_memory_bench.py makes.
    static func makeDense(_ path: String, tables: Int, rows: Int, keep: Int) throws {
        let q = try DatabaseQueue(path: path)
        try q.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA secure_delete = OFF; PRAGMA journal_mode = DELETE")
            for t in 0..<tables {
                try db.inTransaction {
                    try db.execute(sql: "CREATE TABLE messages_\(t) (id INTEGER PRIMARY KEY, chat INTEGER, body TEXT, sent INTEGER)")
                    let insert = try db.makeStatement(sql: "INSERT INTO messages_\(t) VALUES (?, ?, ?, ?)")
                    for i in 1...rows {
                        try insert.execute(arguments: [i, i % 97, "dense message \(t).\(i) " + String(repeating: "x", count: i % 23),
                                                       1_600_000_000 + i])
                    }
                    return .commit
                }
            }
            // Deleted last: freed pages are not reused by the next table's rows.
            try db.inTransaction {
                for t in 0..<tables { try db.execute(sql: "DELETE FROM messages_\(t) WHERE id % \(keep) != 1") }
                return .commit
            }
        }
        try q.close()
    }

    /// Ingests a dense database of `tables` × 16,000 rows; returns the peak RSS (bytes), the rows
    /// deleted and the rows `recovered_records` holds that are not copies of live rows.
    static func ingestDense(tables: Int, keep: Int, tag: String) throws -> (peakRSS: Int64, deleted: Int, recovered: Int, seconds: Double) {
        let dir = try TestDirectory(tag)
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path("evidence"), withIntermediateDirectories: true)
        let rows = 16_000
        try makeDense(dir.path("evidence/dense.db"), tables: tables, rows: rows, keep: keep)
        let db = dir.path("case.sqlite")
        let run = try HostileLoopTests.measuredIngest(
            ["ingest", dir.path("evidence"), "--db", db, "--case", "DENSE", "--examiner", "Tester", "--json", "--temp-dir", dir.path("")],
            stdout: dir.path("out.json"), limit: 1800)
        #expect(!run.killed && run.status == 0, "exit status \(run.status), killed \(run.killed)")
        let recovered = try Fixture.open(db).read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM recovered_records WHERE duplicate_of_live = 0") ?? 0
        }
        return (run.peakRSS, tables * (rows - rows / keep), recovered, run.seconds)
    }

    /// Measured (debug, docs/BENCHMARKS.md): from 1 to 8 tables of 16,000 rows with 1 in 16 kept
    /// (14,756 → 120,100 recovered rows), peak RSS grew by 88 MiB when recovery held its rows
    /// (about 870 bytes a row: the rows, then their findings) and by 36 MiB handing them over
    /// (the 8 MiB held before the second pass, the digests, the store's page cache). The bound
    /// sits between: 600 bytes per extra recovered row.
    static let bytesPerExtraRow: Int64 = 600

    @Test func peakMemoryDoesNotGrowWithTheRecoveredRows() throws {
        let small = try Self.ingestDense(tables: 1, keep: 16, tag: "dense-1")
        let dense = try Self.ingestDense(tables: 8, keep: 16, tag: "dense-8")
        let grown = dense.peakRSS - small.peakRSS
        let rows = Int64(dense.recovered - small.recovered)
        print("dense recovery: \(small.recovered) rows → peak RSS \(small.peakRSS >> 20) MiB (\(String(format: "%.1f", small.seconds)) s); "
              + "\(dense.recovered) rows → \(dense.peakRSS >> 20) MiB (\(String(format: "%.1f", dense.seconds)) s)")
        #expect(Double(dense.recovered) >= 0.95 * Double(dense.deleted), "\(dense.recovered) of \(dense.deleted) deleted rows recovered")
        #expect(dense.recovered <= dense.deleted, "no more rows than were deleted")
        #expect(grown < rows * Self.bytesPerExtraRow, "peak RSS grew by \(grown >> 20) MiB for \(rows) more recovered rows")
    }

    /// make test-long: 64 tables, 1 in 4 kept: 768,000 deleted rows, 757,149 recovered. Measured
    /// (debug): 717 MiB peak when recovery held its rows, 390 MiB handing them over.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["EXHIBIT_LONG"] != nil))
    func aLargeDenseDatabaseStaysUnderItsBound() throws {
        let dense = try Self.ingestDense(tables: 64, keep: 4, tag: "dense-64")
        print("dense recovery (long): \(dense.recovered) rows → peak RSS \(dense.peakRSS >> 20) MiB (\(String(format: "%.1f", dense.seconds)) s)")
        #expect(Double(dense.recovered) >= 0.95 * Double(dense.deleted), "\(dense.recovered) of \(dense.deleted) deleted rows recovered")
        #expect(dense.peakRSS < 512 << 20, "peak RSS \(dense.peakRSS >> 20) MiB")
    }

    /// `tables` tables of `rows` rows of about 900 bytes (SQLite generates them: a recursive
    /// common table expression), every second row deleted, secure_delete off: 4 rows a 4 KiB
    /// page, freeblocks on every leaf. (Shorter rows make a denser file of the same size, but a
    /// debug carve of tens of millions of rows takes hours.)
    static func makeLarge(_ path: String, tables: Int, rows: Int) throws {
        let q = try DatabaseQueue(path: path)
        try q.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA secure_delete = OFF; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF")
            for t in 0..<tables {
                try db.execute(sql: """
                    CREATE TABLE messages_\(t) (id INTEGER PRIMARY KEY, chat INTEGER, body TEXT, sent INTEGER);
                    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < \(rows))
                    INSERT INTO messages_\(t) SELECT i, i % 97,
                        'large message \(t).' || i || ' ' || substr(replace(hex(zeroblob(450)), '0', 'x'), 1, 860 + i % 40),
                        1600000000 + i FROM c;
                    """)
            }
            for t in 0..<tables { try db.execute(sql: "DELETE FROM messages_\(t) WHERE id % 2 = 0") }
        }
        try q.close()
    }

    /// make test-long: a dense database of about 2 GB (4 tables of 520,000 rows, 1,040,000
    /// deleted): peak RSS under 1 GB (the digest sets go to the private temp folder past their
    /// bound, the whole live rows kept share one budget) and the deleted rows come out.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["EXHIBIT_LONG"] != nil))
    func aTwoGigabyteDenseDatabaseStaysUnderOneGigabyte() throws {
        let dir = try TestDirectory("dense-2g")
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path("evidence"), withIntermediateDirectories: true)
        let (tables, rows) = (4, 520_000)
        let path = dir.path("evidence/large.db")
        try Self.makeLarge(path, tables: tables, rows: rows)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size > 1_800_000_000, "\(size) bytes")
        let db = dir.path("case.sqlite")
        let run = try HostileLoopTests.measuredIngest(
            ["ingest", dir.path("evidence"), "--db", db, "--case", "DENSE2G", "--examiner", "Tester", "--json", "--temp-dir", dir.path("")],
            stdout: dir.path("out.json"), limit: 5400)
        #expect(!run.killed && run.status == 0, "exit status \(run.status), killed \(run.killed)")
        let (recovered, sample) = try Fixture.open(db).read {
            (try Int.fetchOne($0, sql: "SELECT count(*) FROM recovered_records WHERE duplicate_of_live = 0") ?? 0,
             try String.fetchOne($0, sql: "SELECT values_json FROM recovered_records WHERE table_name = 'messages_3' ORDER BY id DESC LIMIT 1") ?? "")
        }
        let deleted = tables * rows / 2
        print("dense recovery (2 GB): \(size >> 20) MiB, \(recovered) of \(deleted) deleted rows recovered → peak RSS \(run.peakRSS >> 20) MiB (\(String(format: "%.1f", run.seconds)) s)")
        #expect(Double(recovered) >= 0.95 * Double(deleted), "\(recovered) of \(deleted) deleted rows recovered")
        #expect(recovered <= deleted, "no more rows than were deleted")
        #expect(sample.contains("large message 3."), "a recovered row of the last table: \(sample)")
        #expect(run.peakRSS < 1_000_000_000, "peak RSS \(run.peakRSS >> 20) MiB")
    }
}
