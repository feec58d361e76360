import AppDatabaseKit
import ExhibitKit
import ExhibitTesting
import Foundation
import GRDB
import Testing

/// AppDatabase's time limit bounds a statement that makes no progress, not the time a reader
/// spends on the rows: a slow consumer of many rows is never cut short (a million-message
/// database stored on a loaded machine), a statement that produces no row for the limit is.
@Suite("AppDatabase time limit")
struct AppDatabaseTimeLimitTests {
    static func database(_ dir: TestDirectory) throws -> EvidenceFile {
        let path = dir.path("t.db")
        let made = try Run.command("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1]); c.execute("CREATE TABLE t (v INTEGER)")
            c.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(40)]); c.commit()
            """, path])
        try #require(made.exitCode == 0, "\(made.stderr)")
        return EvidenceFile(key: "t", virtualPath: "e!/t.db", size: 0, hashes: FileHashes(md5: "", sha1: "", sha256: ""),
                            mime: "application/vnd.sqlite3", content: .temporaryFile(URL(fileURLWithPath: path)))
    }

    @Test func aSlowReaderOfManyRowsIsNotCutShort() throws {
        let dir = try TestDirectory("appdb-slow-reader")
        defer { dir.remove() }
        let db = try AppDatabase.open(try Self.database(dir), temporaryDirectory: URL(fileURLWithPath: dir.path("")), timeLimit: 1)
        let start = Date()
        let count = try db.read { c -> Int in
            let rows = try Row.fetchCursor(c, sql: "SELECT v FROM t ORDER BY v")
            var n = 0
            while try rows.next() != nil { n += 1; usleep(60_000) }
            return n
        }
        #expect(count == 40)
        #expect(Date().timeIntervalSince(start) > 2, "the reader took longer than the limit in total")
    }

    @Test func aStatementWithoutProgressIsStopped() throws {
        let dir = try TestDirectory("appdb-stall")
        defer { dir.remove() }
        let db = try AppDatabase.open(try Self.database(dir), temporaryDirectory: URL(fileURLWithPath: dir.path("")), timeLimit: 1)
        let start = Date()
        #expect(throws: (any Error).self) {
            try db.read { c in
                try Int.fetchOne(c, sql: "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r")
            }
        }
        #expect(Date().timeIntervalSince(start) < 30)
    }
}
