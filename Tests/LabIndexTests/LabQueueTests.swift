import ExhibitTesting
import Foundation
import GRDB
import LabIndex
import PostgresNIO
import Testing

/// Distributed ingest on a real PostgreSQL: three worker processes drain a queue of items from
/// two cases (plus one item that cannot be read); the first worker is killed with -9 (with its
/// ingest) while it holds an item, and PostgreSQL is restarted while the others run. Afterwards every case
/// database has the digest of a single-machine ingest of the same items, the lab index holds
/// each row once, and the unreadable item is failed with its reason.
@Suite("Lab index: distributed ingest queue")
struct LabQueueTests {
    static let items: [(String, String)] = [
        ("QX", "sample-case/pc-export.tar.gz"), ("QX", "sample-case/phone-dump.zip"), ("QY", "phone/android/android-ffs.tar"),
    ]

    /// Imports the demo known-bad lists (as an examiner does before ingest).
    static func prepare(_ db: String) throws {
        for (set, algorithm, file) in [("demo-known-pdq", "pdq", "pdq.txt"), ("demo-known-sha256", "sha256", "sha256.txt")] {
            let r = try Run.command(LabFixture.exhibit, ["hashset", "import", "--db", db, "--name", set, "--kind", "known-bad",
                                                         "--algorithm", algorithm, Corpus.url("sample-case/known-bad/\(file)").path])
            try #require(r.exitCode == 0, "hashset import: \(r.stderr)")
        }
    }

    static func digest(_ db: String) throws -> String {
        let r = try Run.command(LabFixture.exhibit, ["digest", "--db", db])
        try #require(r.exitCode == 0, "digest: \(r.stderr)")
        return r.stdout.split(separator: "\n").last.map(String.init) ?? ""
    }

    /// Waits for a worker to exit on its own, up to `seconds`; kills it after that.
    static func wait(_ p: ProcessGroup, seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while Date() < deadline {
            if waitpid(p.pid, &status, WNOHANG) == p.pid { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1 }
            usleep(100_000)
        }
        p.killGroup()
        return nil
    }

    static func worker(_ urlFile: String, _ cases: String, log: String, lease: Int = 3) throws -> ProcessGroup {
        try ProcessGroup("/bin/sh", ["-c", "exec \"$0\" \"$@\" 2>>'\(log)'", LabFixture.exhibit, "lab", "worker", "--postgres-url-file", urlFile,
                                     "--cases-dir", cases, "--lease-seconds", String(lease), "--max-attempts", "2",
                                     "--poll-seconds", "0.2", "--exit-when-idle"])
    }

    /// Once failed one run in five under load, QX's digest differing from the single machine's:
    /// the worker spawned `exhibit ingest` (under `setpriv --pdeathsig KILL`) from a concurrency-
    /// pool thread, and the ingest was killed when the pool retired that thread (~5 s idle) —
    /// with `--max-attempts 2`, twice was enough to fail an item of QX (LabChildTests). Fixed.
    /// In the full `make test` of a merge (all suites in parallel, 386 s for this test against
    /// 8 s alone) the killed item QX/pc-export then failed its second attempt. The cause, found
    /// in the worker: when PostgreSQL restarted while a worker held a job (its ingest running),
    /// the publish on the dead connection threw, the worker reconnected and went on claiming —
    /// the job it held was abandoned under an expired lease, and at its last attempt (2) another
    /// worker's claim failed it ("gave up after 2 attempts"). Under load the restart lands inside
    /// that second attempt. Now the worker resumes the job it held after reconnecting (renewing
    /// the lease as its heartbeat does; same attempt). Back in `make test` since: it passed
    /// 3 of 3 runs alone under load 7–15 (12–24 s each) and in the full suite.
    @Test
    func threeWorkersAKillAndARestartLoseNothing() async throws {
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let dir = try TestDirectory("lab-queue")
        defer { dir.remove() }
        let cases = dir.path("cases"), reference = dir.path("reference")
        for d in [cases, reference] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        let urlFile = dir.path("lab.url")
        try cluster.url.write(toFile: urlFile, atomically: true, encoding: .utf8)
        let url = try LabURL(parsing: cluster.url)

        // Single-machine reference: the same items, one plain ingest per item, in submit order.
        for name in ["QX", "QY"] {
            try Self.prepare("\(cases)/\(name).sqlite")
            try Self.prepare("\(reference)/\(name).sqlite")
        }
        for (name, item) in Self.items {
            let r = try Run.command(LabFixture.exhibit, ["ingest", Corpus.url(item).path, "--db", "\(reference)/\(name).sqlite", "--case", name,
                                                         "--examiner", "Lab Tester", "--json", "--assume-tz", "Asia/Seoul"])
            try #require(r.exitCode == 0, "reference ingest: \(r.stderr)")
        }

        var r = try Run.command(LabFixture.exhibit, ["lab", "init", "--postgres-url-file", urlFile])
        try #require(r.exitCode == 0, "init: \(r.stderr)")
        for name in ["QX", "QY"] {
            let items = Self.items.filter { $0.0 == name }.map { Corpus.url($0.1).path }
            r = try Run.command(LabFixture.exhibit, ["lab", "submit", "--postgres-url-file", urlFile, "--case", name, "--examiner", "Lab Tester",
                                                     "--assume-tz", "Asia/Seoul"] + items)
            try #require(r.exitCode == 0, "submit: \(r.stderr)")
        }
        r = try Run.command(LabFixture.exhibit, ["lab", "submit", "--postgres-url-file", urlFile, "--case", "QZ", "--examiner", "Lab Tester",
                                                 dir.path("not-there.zip")])
        try #require(r.exitCode == 0, "submit: \(r.stderr)")
        r = try Run.command(LabFixture.exhibit, ["lab", "submit", "--postgres-url-file", urlFile, "--case", "QX", "--examiner", "Lab Tester",
                                                 Corpus.url(Self.items[0].1).path])
        #expect(r.stdout.contains("(already queued)"), "resubmitting keeps the job: \(r.stdout)")

        // Worker 1 claims QX's first item and is killed (with its ingest) while it holds it. The
        // test holds the engine's own lock on QX.sqlite meanwhile, so the ingest is surely running
        // (waiting for the case) when the kill comes, however loaded the machine is.
        let log = dir.path("workers.log")
        let lockFD = open("\(cases)/QX.sqlite", O_RDWR | O_CLOEXEC)   // not inherited by the workers: a copy would keep the lock
        try #require(lockFD >= 0 && flock(lockFD, LOCK_EX) == 0)
        let first = try Self.worker(urlFile, cases, log: log)
        // One session polls every 10 ms (reconnecting each time would miss short items under load).
        let killedJob: Int? = try await LabFixture.session(url) { lab in
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                for try await j in try await lab.rawQuery("SELECT job_id FROM lab_jobs WHERE state = 'running' AND worker LIKE '%:\(first.pid)'").decode(Int.self) {
                    first.killGroup()
                    return j
                }
                try await Task.sleep(nanoseconds: 10_000_000)
            }
            return nil
        }
        first.killGroup()
        close(lockFD)
        try #require(killedJob == 1, "worker 1 held \(killedJob.map(String.init) ?? "no job")")

        // Workers 2 and 3 drain the queue; PostgreSQL restarts under them once.
        let others = [try Self.worker(urlFile, cases, log: log), try Self.worker(urlFile, cases, log: log)]
        usleep(700_000)
        try cluster.restart()
        let codes = others.map { Self.wait($0, seconds: 240) }
        #expect(codes == [0, 0], "workers exit when the queue is drained: \(codes); log: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")

        // Every job ended; the unreadable item failed with its reason after two attempts.
        let (states, counts, status, notes) = try await LabFixture.session(url) { lab in
                var states: [String] = []
                var notes: [String] = []
                for try await (c, i, s, a, note) in try await lab.rawQuery("SELECT case_name, item_path, state, attempts, note FROM lab_jobs ORDER BY job_id")
                    .decode((String, String, String, Int, String?).self) {
                    states.append("\(c) \((i as NSString).lastPathComponent) \(s)\(s == "failed" ? " \(a)" : "")")
                    if s == "failed" { notes.append("\(c) \((i as NSString).lastPathComponent): \(note ?? "(no note)")") }
                }
                var counts: [String: String] = [:]
                for try await (n, rc) in try await lab.rawQuery("SELECT name, row_counts::text FROM lab_cases ORDER BY name").decode((String, String).self) { counts[n] = rc }
                return (states, counts, try await lab.status(), notes)
        }
        #expect(states == ["QX pc-export.tar.gz done", "QX phone-dump.zip done", "QY android-ffs.tar done", "QZ not-there.zip failed 2"],
                "\(notes); log: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        #expect(status.jobs == ["done": 3, "failed": 1])
        #expect(status.problems.count == 1 && status.problems.first?.caseName == "QZ" && status.workers.count == 3, "\(status)")

        // Same case databases as a single machine's, and each row once in the lab.
        for name in ["QX", "QY"] {
            if ProcessInfo.processInfo.environment["LAB_KEEP"] != nil {
                _ = try? FileManager.default.copyItem(atPath: "\(cases)/\(name).sqlite", toPath: "/tmp/labkeep-\(name)-cases.sqlite")
                _ = try? FileManager.default.copyItem(atPath: "\(reference)/\(name).sqlite", toPath: "/tmp/labkeep-\(name)-ref.sqlite")
            }
            #expect(try Self.digest("\(cases)/\(name).sqlite") == Self.digest("\(reference)/\(name).sqlite"), "\(name): digest differs")
            let q = try LabFixture.open("\(cases)/\(name).sqlite")
            let (files, messages, pdq) = try await q.read { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM files") ?? -1, try Int.fetchOne(db, sql: "SELECT count(*) FROM messages") ?? -1,
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM media_hashes") ?? -1)
            }
            let rc = try #require(counts[name])
            #expect(rc.contains("\"lab_files\": \(files)") && rc.contains("\"lab_messages\": \(messages)") && rc.contains("\"lab_pdq\": \(pdq)"),
                    "\(name): \(rc) vs files \(files), messages \(messages), pdq \(pdq)")
        }
        let dupes: Int = try await LabFixture.session(url) { lab in
                var n = 0
                for try await c in try await lab.rawQuery("""
                    SELECT count(*)::integer FROM (SELECT case_id, path FROM lab_files GROUP BY case_id, path, evidence_id HAVING count(*) > 1) d
                    """).decode(Int.self) { n = c }
                return n
        }
        #expect(dupes == 0)
    }

    /// The cause of the kill test's flake, alone: a worker holds a job (its ingest waits for the
    /// case, whose lock the test holds) when PostgreSQL restarts. With `--max-attempts 1` the job
    /// could not be claimed again: before the fix the worker abandoned it on the dead connection,
    /// and another claim would fail it once its lease had been expired for one more lease period
    /// (from the code). Now the worker resumes it after reconnecting — same attempt — and it is done.
    @Test func aWorkerResumesTheJobItHeldAcrossAPostgresRestart() async throws {
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let dir = try TestDirectory("lab-resume")
        defer { dir.remove() }
        let cases = dir.path("cases")
        try FileManager.default.createDirectory(atPath: cases, withIntermediateDirectories: true)
        let urlFile = dir.path("lab.url")
        try cluster.url.write(toFile: urlFile, atomically: true, encoding: .utf8)
        let url = try LabURL(parsing: cluster.url)
        try Self.prepare("\(cases)/QR.sqlite")
        var r = try Run.command(LabFixture.exhibit, ["lab", "init", "--postgres-url-file", urlFile])
        try #require(r.exitCode == 0, "init: \(r.stderr)")
        r = try Run.command(LabFixture.exhibit, ["lab", "submit", "--postgres-url-file", urlFile, "--case", "QR", "--examiner", "Lab Tester",
                                                 "--assume-tz", "Asia/Seoul", Corpus.url("sample-case/pc-export.tar.gz").path])
        try #require(r.exitCode == 0, "submit: \(r.stderr)")

        let log = dir.path("worker.log")
        let lockFD = open("\(cases)/QR.sqlite", O_RDWR | O_CLOEXEC)   // not inherited by the worker: its copy would keep the lock
        try #require(lockFD >= 0 && flock(lockFD, LOCK_EX) == 0)
        let worker = try ProcessGroup("/bin/sh", ["-c", "exec \"$0\" \"$@\" 2>>'\(log)'", LabFixture.exhibit, "lab", "worker", "--postgres-url-file", urlFile,
                                                  "--cases-dir", cases, "--lease-seconds", "3", "--max-attempts", "1", "--poll-seconds", "0.2", "--exit-when-idle"])
        let held: Bool = try await LabFixture.session(url) { lab in
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                for try await _ in try await lab.rawQuery("SELECT job_id FROM lab_jobs WHERE state = 'running'").decode(Int.self) { return true }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            return false
        }
        try #require(held, "the worker never held the job")
        try cluster.restart()
        usleep(500_000)
        close(lockFD)
        let code = Self.wait(worker, seconds: 100)
        let words = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(code == 0, "worker: \(code.map(String.init) ?? "killed after 100 s"); log: \(words)")
        let state: String = try await LabFixture.session(url) { lab in
            var s = ""
            for try await (st, a, note) in try await lab.rawQuery("SELECT state, attempts, note FROM lab_jobs").decode((String, Int, String?).self) {
                s = "\(st) \(a) \(note ?? "")"
            }
            return s
        }
        #expect(state == "done 1 ", "\(state); log: \(words)")
        #expect(words.contains("resumed after reconnecting"), "\(words)")
    }
}
