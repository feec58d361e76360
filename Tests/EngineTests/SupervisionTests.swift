import ExhibitTesting
import Foundation
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The worker supervisor, proven with the test bed's misbehaving analyzers: a file that crashes
/// the worker (SIGSEGV, SIGABRT) or hangs it is retried alone, then recorded as `crashed` and
/// skipped; innocent work in flight at the crash is redone; the ingest completes.
@Suite(.serialized)
struct SupervisionTests {
    private func evidence(in dir: TestDirectory) throws -> String {
        let src = dir.path("src")
        let files = ["ok1.txt": "plain text\n", "segv.txt": "CRASH-SEGV\n", "abrt.txt": "CRASH-ABRT\n",
                     "once.txt": "CRASH-ONCE\n", "hang.txt": "HANG\n", "throw.txt": "THROW\n", "warn.txt": "WARN\n",
                     "ok2.txt": "more text\nand more\n"]
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: "\(src)/\(name)", atomically: true, encoding: .utf8) }
        let zip = dir.path("bad.zip")
        #expect(try Run.shell("cd '\(src)' && zip -q -X '\(zip)' *.txt").exitCode == 0)
        return zip
    }

    @Test func crashesAndHangsAreIsolatedAndRecorded() throws {
        let dir = try TestDirectory("supervise"); defer { dir.remove() }
        let zip = try evidence(in: dir)
        let state = dir.path("state"); try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let db = dir.path("case.sqlite")
        // One file analysed at a time: with two, CRASH-ONCE can be an innocent bystander of
        // another file's crash before its own first run, and then (correctly, from the
        // supervisor's view) dies twice while in flight. The concurrency of isolation itself is
        // covered by the kill and crash-read tests.
        let r = try Fixture.ingest([zip], db: db, binary: Fixture.testbed, extra: ["--jobs", "1"],
                                   environment: ["EXHIBIT_TESTBED_STATE": state])
        #expect(r.exitCode == 0, "stderr: \(r.stderr)")
        let q = try Fixture.open(db)
        let errors = try q.read {
            try Row.fetchAll($0, sql: "SELECT path, analyzer_id, status, code FROM analysis_errors ORDER BY path, analyzer_id")
        }
        let byPath = Dictionary(grouping: errors, by: { ($0["path"] as String).replacingOccurrences(of: "bad.zip!/", with: "") })
        #expect(byPath["segv.txt"]?.map { $0["status"] as String } == ["crashed"])
        #expect(byPath["abrt.txt"]?.map { $0["status"] as String } == ["crashed"])
        #expect(byPath["hang.txt"]?.map { $0["status"] as String } == ["crashed"])
        #expect(byPath["throw.txt"]?.map { $0["status"] as String } == ["error"])
        #expect(byPath["warn.txt"]?.map { $0["status"] as String } == ["warning"])
        #expect(byPath["once.txt"] == nil, "a file that crashed only once must succeed on its isolated retry")
        #expect(byPath["ok1.txt"] == nil && byPath["ok2.txt"] == nil)
        for row in errors where (row["status"] as String) == "crashed" {
            #expect(row["analyzer_id"] as String == "testbed-misbehave")
        }
        // Every file is in the inventory, and the well-behaved analyzer's findings survived for all.
        #expect(try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files") } == 8)
        #expect(try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM artifacts WHERE type = 'testbed.lines'") } == 8)

        // A second run skips the crashed pairs instead of crashing again.
        let again = try Fixture.ingest([zip], db: db, binary: Fixture.testbed)
        #expect(again.exitCode == 0)
        #expect(try Fixture.open(db).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM analysis_errors WHERE status = 'crashed'") } == 3)
    }

    @Test func aCrashWhileReadingAnEntryIsIsolatedToThatEntry() throws {
        let dir = try TestDirectory("crash-read"); defer { dir.remove() }
        let src = dir.path("src"); try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        for name in ["a.txt", "crash-read.bin", "z.txt"] {
            try "content of \(name)\n".write(toFile: "\(src)/\(name)", atomically: true, encoding: .utf8)
        }
        let zip = dir.path("r.zip")
        #expect(try Run.shell("cd '\(src)' && zip -q -X '\(zip)' a.txt crash-read.bin z.txt").exitCode == 0)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([zip], db: db, binary: Fixture.testbed)
        #expect(r.exitCode == 0, "stderr: \(r.stderr)")
        let q = try Fixture.open(db)
        let rows = try q.read { try Row.fetchAll($0, sql: "SELECT name, status, sha256 FROM files ORDER BY entry_key") }
        #expect(rows.map { $0["name"] as String } == ["a.txt", "crash-read.bin", "z.txt"])
        #expect(rows.map { $0["status"] as String } == ["ok", "corrupt", "ok"])
        #expect(rows[1]["sha256"] as String? == nil)
        let crashed = try q.read { try Row.fetchAll($0, sql: "SELECT path, analyzer_id, status FROM analysis_errors") }
        #expect(crashed.count == 1)
        #expect(crashed.first?["analyzer_id"] as String? == "intake")
        #expect(crashed.first?["status"] as String? == "crashed")
        #expect(crashed.first?["path"] as String? == "r.zip!/crash-read.bin")
    }

    /// The entry being read is named by the supervisor's entry page (not by pipe lines): a crash
    /// among hundreds of entries, one inside a nested zip (a two-part entry key) and one whose
    /// path is too long for the page (announced on the pipe instead) are each recorded under
    /// their own entry key and path, and every other entry is read.
    @Test func attributionNamesTheEntryBeingReadAmongMany() throws {
        let dir = try TestDirectory("attribution"); defer { dir.remove() }
        let zip = dir.path("many.zip")
        let script = dir.path("make.py")
        try """
        import io, sys, zipfile
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w", zipfile.ZIP_STORED) as z:
            for i in range(60):
                z.writestr(f"in/f{i:03}.txt", f"inner {i}\\n")
                if i == 30:
                    z.writestr("in/crash-read-inner.bin", "inner crash\\n")
        with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
            for i in range(300):
                z.writestr(f"d{i // 100}/f{i:03}.txt", f"entry {i}\\n")
                if i == 150:
                    z.writestr("d1/crash-read-outer.bin", "outer crash\\n")
                if i == 200:
                    z.writestr("nested.zip", inner.getvalue())
            z.writestr("long/" + "a-folder-name-of-forty-bytes-in-all-xxx/" * 420 + "crash-read-long.bin", "long\\n")
        """.write(toFile: script, atomically: true, encoding: .utf8)
        #expect(try Run.shell("python3 '\(script)' '\(zip)'").exitCode == 0)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([zip], db: db, binary: Fixture.testbed, extra: ["--no-analyzers"])
        #expect(r.exitCode == 0, "stderr: \(r.stderr)")

        let q = try Fixture.open(db)
        let crashed = try q.read {
            try Row.fetchAll($0, sql: """
                SELECT e.path, e.entry_key AS key, e.analyzer_id, e.status, f.entry_key AS file_key, f.status AS file_status
                FROM analysis_errors e LEFT JOIN files f ON f.evidence_id = e.evidence_id AND f.path = e.path ORDER BY e.path
                """)
        }
        let longPath = "many.zip!/long/" + String(repeating: "a-folder-name-of-forty-bytes-in-all-xxx/", count: 420) + "crash-read-long.bin"
        #expect(longPath.utf8.count > 16 << 10, "the long entry must not fit the page")
        #expect(crashed.map { $0["path"] as String } == ["many.zip!/d1/crash-read-outer.bin", longPath,
                                                          "many.zip!/nested.zip!/in/crash-read-inner.bin"])
        for row in crashed {
            #expect(row["analyzer_id"] as String == "intake" && row["status"] as String == "crashed")
            #expect(row["key"] as String == row["file_key"] as String?, "recorded under its own entry key: \(row)")
            #expect(row["file_status"] as String? == "corrupt")
        }
        // The nested one is the nested zip's entry: the container's position, then its own.
        let nested = try #require(crashed.last?["key"] as String?)
        let container = try q.read { try String.fetchOne($0, sql: "SELECT entry_key FROM files WHERE path = 'many.zip!/nested.zip'") }
        #expect(nested.split(separator: "/").count == 2 && nested.hasPrefix((container ?? "?") + "/"))
        // Everything else was read: 300 + 60 files, the nested zip (which says one of its entries
        // could not be read), the three crashed entries.
        #expect(try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files") } == 364)
        #expect(try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files WHERE status = 'ok' AND sha256 IS NOT NULL") } == 360)
        #expect(try q.read { try String.fetchOne($0, sql: "SELECT status || ': ' || message FROM files WHERE path = 'many.zip!/nested.zip'") }
                == "corrupt: entries not fully read: 1 corrupt")
    }

    @Test func anOutsideKillOfTheWorkerMarksNothing() throws {
        let dir = try TestDirectory("outside"); defer { dir.remove() }
        let src = dir.path("src"); try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        try "HANG\n".write(toFile: "\(src)/hang.txt", atomically: true, encoding: .utf8)
        let zip = dir.path("h.zip")
        #expect(try Run.shell("cd '\(src)' && zip -q '\(zip)' hang.txt").exitCode == 0)
        let db = dir.path("case.sqlite")
        let sup = try ProcessGroup(Fixture.testbed, ["ingest", zip, "--db", db, "--file-timeout", "600"])
        // Wait for the worker to start analysing, then kill the worker (not the supervisor) from outside.
        var worker: pid_t = 0
        for _ in 0..<100 {
            usleep(100_000)
            let out = try Run.shell("pgrep -P \(sup.pid) || true").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if let p = pid_t(out.split(separator: "\n").first ?? "") { worker = p; break }
        }
        #expect(worker > 0)
        // Not a clock: the kill must come after the worker created the schema and committed the
        // item's first rows (else the query below finds no table); poll the database for them.
        #expect(Self.waitForFirstCommit(db), "the worker committed no evidence row within 60 s")
        kill(worker, SIGKILL)
        let status = sup.waitExit()
        #expect((status >> 8) & 0xff == 4)
        let crashed = try Fixture.open(db).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM analysis_errors WHERE status = 'crashed'") }
        #expect(crashed == 0)
    }

    /// Polls (every 50 ms, at most 60 s) until the case database has its `analysis_errors` table
    /// and an `evidence` row: the schema is migrated and the worker's first transaction committed.
    static func waitForFirstCommit(_ db: String) -> Bool {
        for _ in 0..<1200 {
            if FileManager.default.fileExists(atPath: db), let q = try? Fixture.open(db),
               let n = try? q.read({ d -> Int? in
                   guard try Int.fetchOne(d, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'analysis_errors'") == 1 else { return nil }
                   return try Int.fetchOne(d, sql: "SELECT count(*) FROM evidence")
               }), n > 0 {
                return true
            }
            usleep(50_000)
        }
        return false
    }
}
