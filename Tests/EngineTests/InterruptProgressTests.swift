import ExhibitTesting
import Foundation
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 15, item 17: on a terminal the progress line names the item (`[1/2] big.zip`) and the
/// phase (hashing, intake + analysis, the case phase's steps); Ctrl-C says
/// `interrupted — run the same command to resume`, leaves the run `interrupted` (not
/// `running`), and the same command then finishes the case.
@Suite("Progress phases and Ctrl-C", .serialized)
struct InterruptProgressTests {
    static func evidence(_ dir: TestDirectory, files: Int) throws -> [String] {
        let src = dir.path("src")
        #expect(try Run.shell("""
            set -e; mkdir -p '\(src)/many'; cd '\(src)'
            for i in $(seq 1 \(files)); do echo "file $i" > many/f$i.txt; done
            zip -q -r '\(dir.path("big.zip"))' many
            tar -czf '\(dir.path("second.tar.gz"))' many
            """).exitCode == 0)
        return [dir.path("big.zip"), dir.path("second.tar.gz")]
    }

    @Test func progressNamesTheItemAndThePhase() throws {
        let dir = try TestDirectory("progress")
        defer { dir.remove() }
        let evidence = try Self.evidence(dir, files: 50)
        // EXHIBIT_PROGRESS=1 draws the progress line as on a terminal.
        let r = try Run.command(Fixture.exhibit, ["ingest"] + evidence + ["--db", dir.path("case.sqlite"), "--case", "P"],
                                environment: ["EXHIBIT_PROGRESS": "1"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        for part in ["[1/2] big.zip — hashing", "[1/2] big.zip — intake + analysis", "[2/2] second.tar.gz — intake + analysis",
                     "case phase: linking chats", "case phase: matching hash sets", "case phase: case analyzers"] {
            #expect(r.stderr.contains(part), "\(part) missing from: \(r.stderr.replacingOccurrences(of: "\r", with: "⏎"))")
        }
        // Piped without the variable: silent, the summary only.
        let quiet = try Run.command(Fixture.exhibit, ["ingest"] + evidence + ["--db", dir.path("quiet.sqlite"), "--case", "P"])
        #expect(quiet.exitCode == 0 && !quiet.stderr.contains("intake + analysis"), "\(quiet.stderr)")
    }

    @Test func ctrlCSaysInterruptedAndTheSameCommandResumes() throws {
        let dir = try TestDirectory("ctrl-c")
        defer { dir.remove() }
        let evidence = try Self.evidence(dir, files: 3000)
        let db = dir.path("case.sqlite")
        let args = ["ingest"] + evidence + ["--db", db, "--case", "C", "--batch-size", "64"]
        let reference = try Run.command(Fixture.exhibit, ["ingest"] + evidence + ["--db", dir.path("reference.sqlite"), "--case", "C"])
        try #require(reference.exitCode == 0, "\(reference.stderr)")

        // Ctrl-C on a terminal: SIGINT to the whole foreground process group, once files are committed.
        let status = try Self.ctrlCAfterFirstCommit(args, db: db, stderrPath: dir.path("stderr.txt"))
        let stderr = (try? String(contentsOfFile: dir.path("stderr.txt"), encoding: .utf8)) ?? ""
        #expect(try Self.count(db, "SELECT count(*) FROM ingest_runs WHERE status = 'completed'") == 0,
                "the ingest finished before Ctrl-C: make the evidence larger")
        #expect((status & 0x7f) == 0 && (status >> 8) & 0xff == 4, "exit status \(status)")
        #expect(stderr.contains("interrupted — run the same command to resume"), "\(stderr)")
        #expect(try Self.count(db, "SELECT count(*) FROM ingest_runs WHERE status = 'running'") == 0)
        #expect(try Self.count(db, "SELECT count(*) FROM ingest_runs WHERE status = 'interrupted'") == 1)
        let verify = try Run.command(Fixture.exhibit, ["verify", "--db", db, "--findings-only"])
        #expect(verify.exitCode == 7, "an interrupted case is incomplete, not tampered: \(verify.stdout) \(verify.stderr)")
        let resumed = try Run.command(Fixture.exhibit, args)
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(try Fixture.digest(db) == (try Fixture.digest(dir.path("reference.sqlite"))))
    }

    /// Runs `exhibit args` in its own process group and sends the group SIGINT once `db` holds
    /// committed files; returns the wait status.
    static func ctrlCAfterFirstCommit(_ args: [String], db: String, stderrPath: String) throws -> Int32 {
        let group = try ProcessGroup(Fixture.exhibit, args, stderrPath: stderrPath)
        var committed = 0
        for _ in 0..<600 where committed == 0 {
            usleep(20_000)
            committed = (try? Self.count(db, "SELECT count(*) FROM files")) ?? 0
        }
        try #require(committed > 0, "the ingest committed nothing within 12 s")
        kill(-group.pid, SIGINT)
        return group.waitExit()
    }

    static func count(_ db: String, _ sql: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: db) else { return 0 }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        let q = try DatabaseQueue(path: db, configuration: config)
        return try q.read { c in
            guard try c.tableExists("ingest_runs"), try c.tableExists("files") else { return 0 }
            return try Int.fetchOne(c, sql: sql) ?? 0
        }
    }
}
