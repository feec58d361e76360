import ExhibitTesting
import Foundation
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The intake guard and the loop checks, proven on `corpora/intake/loops/` (hand-built ISO,
/// xar, tar, cpio and gzip attacks, see its README): each is ingested as its own evidence item by the real
/// binary under its supervisor; every entry ends with a recorded status, the worker's peak RSS
/// stays under 1 GiB and the whole ingest finishes (the wall bound is a hang guard only).
@Suite(.serialized)
struct HostileLoopTests {
    static let loops = Corpus.url("intake/loops")

    /// The fixture files (everything but the generator, README and manifest).
    static func fixtures() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: loops.path)
            .filter { !$0.hasSuffix(".py") && !$0.hasSuffix(".md") && !$0.hasSuffix(".tsv") }
            .sorted()
    }

    /// Runs `exhibit ingest` in its own process group and returns its wait status, peak RSS of
    /// the supervisor and everything it waited for (the worker) in bytes, and wall seconds.
    /// The group is killed after `limit` seconds.
    static func measuredIngest(_ args: [String], stdout: String, limit: Double) throws -> (status: Int32, peakRSS: Int64, seconds: Double, killed: Bool) {
        let start = Date()
        let group = try ProcessGroup(Fixture.exhibit, args, stdoutPath: stdout)
        let killer = KillTimer()
        let t = Thread {
            while !killer.isDone {
                if Date().timeIntervalSince(start) > limit { killer.fired = true; kill(-group.pid, SIGKILL); return }
                usleep(100_000)
            }
        }
        t.start()
        var status: Int32 = 0
        var usage = rusage()
        while wait4(group.pid, &status, 0, &usage) < 0 && errno == EINTR {}
        killer.isDone = true
        // ru_maxrss (KiB) of a waited child covers its own waited-for children too.
        return (status, Int64(usage.ru_maxrss) * 1024, Date().timeIntervalSince(start), killer.fired)
    }

    @Test func hostileLoopsEndWithARecordedStatusInBoundedMemoryAndTime() throws {
        let names = try Self.fixtures()
        try #require(!names.isEmpty, "no fixtures in \(Self.loops.path)")
        let dir = try TestDirectory("hostile-loops"); defer { dir.remove() }
        // One evidence item per fixture: each has its own budgets (a bomb spends its item's).
        let evidence = names.map { Self.loops.appendingPathComponent($0).path }
        let db = dir.path("case.sqlite")
        let args = ["ingest"] + evidence + ["--db", db, "--case", "LOOPS", "--examiner", "Tester", "--json",
                                            "--intake-stall", "2", "--temp-dir", dir.path("")]
        let run = try Self.measuredIngest(args, stdout: dir.path("out.json"), limit: 120)
        print("hostile loops: exit status \(run.status), peak RSS \(run.peakRSS >> 20) MiB, \(String(format: "%.1f", run.seconds)) s")
        #expect(!run.killed, "the ingest did not finish within 120 s")
        #expect(run.status == 0, "exit status \(run.status)")
        #expect(run.peakRSS <= 1 << 30, "peak RSS \(run.peakRSS >> 20) MiB")

        let q = try Fixture.open(db)
        // Every fixture is listed, and nothing is left without a status.
        let unset = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files WHERE status IS NULL OR status = ''") }
        #expect(unset == 0)
        let top = try q.read { try Row.fetchAll($0, sql: "SELECT label, status, message, complete FROM evidence ORDER BY label") }
        #expect(top.map { $0["label"] as String } == names)
        #expect(top.allSatisfy { ($0["complete"] as Int?) == 1 && ($0["status"] as String?) != nil })
        var status: [String: String] = [:], message: [String: String] = [:]
        for r in top { status[r["label"]] = r["status"]; message[r["label"]] = r["message"] ?? "" }
        print(top.map { "\($0["label"] as String): \($0["status"] as String? ?? "-") \($0["message"] as String? ?? "")" }.joined(separator: "\n"))

        // Each attack, with the status recorded for it (the container's own, on `evidence`).
        #expect(status == [
            "cpio-entry-flood.cpio.xz": "ok",
            "gzip-chain-40.gz": "limit-exceeded",         // libarchive's 25-filter limit
            "iso-dir-loop.iso.gz": "corrupt",
            "iso-rr-ce-loop.iso.gz": "limit-exceeded",    // intake guard: next header made no progress
            "pax-sparse-huge-map.tar": "truncated",
            "tar-long-name-flood.tar.xz": "ok",
            "tar-sparse-lying.tar": "corrupt",            // the 8 EiB member's header
            "xar-double-hardlink.xar": "limit-exceeded",  // intake guard
            "xar-toc-self-parent.xar": "truncated",
        ])
        let guardMessage = "no progress for 2 s while opening the container or reading its next header (a loop in the archive's structure); stopped by the intake guard (--intake-stall 2 s)"
        #expect(message["iso-rr-ce-loop.iso.gz"] == guardMessage)
        #expect(message["xar-double-hardlink.xar"] == guardMessage)
        #expect(message["iso-dir-loop.iso.gz"] == "Directory structure contains loop")
        #expect(message["gzip-chain-40.gz"] == "Input requires too many filters for decoding")
        // The floods are listed in full: 8,000 cpio rows, 32 long names.
        let flood = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files WHERE path LIKE 'cpio-entry-flood.cpio.xz!/%'") }
        #expect(flood == 8_000)
        let longNames = try q.read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM files WHERE path LIKE 'tar-long-name-flood.tar.xz!/%' AND length(name) > 131072")
        }
        #expect(longNames == 32)
        // The sparse hole was cut by the ratio budget, not zero-filled to the per-entry budget.
        let holes = try q.read { try Row.fetchOne($0, sql: "SELECT status, size FROM files WHERE name = 'holes.bin'") }
        #expect(holes?["status"] as String? == "limit-exceeded")
        #expect((holes?["size"] as Int64?) ?? Int64.max <= 64 << 20)
        // The guard's stops are recorded where the supervisor and later workers find them.
        let guardRows = try q.read {
            try Row.fetchAll($0, sql: "SELECT analyzer_id, status, code FROM analysis_errors WHERE code = 'intake-guard' ORDER BY path")
        }
        #expect(!guardRows.isEmpty)
        #expect(guardRows.allSatisfy { ($0["status"] as String) == "timeout" && ($0["analyzer_id"] as String).hasPrefix("intake") })

        // A second run resumes nothing and repeats no stop: the case is complete.
        let again = try Self.measuredIngest(args, stdout: dir.path("out2.json"), limit: 60)
        #expect(again.status == 0 && !again.killed)
        let guardAfter = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM analysis_errors WHERE code = 'intake-guard'") }
        #expect(guardAfter == guardRows.count)
    }
}

/// Flags shared between the test thread and its kill timer.
private final class KillTimer: @unchecked Sendable {
    // Safe enough for a test's timer: single writer per flag, read by polling.
    var isDone = false
    var fired = false
}
