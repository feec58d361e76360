import ExhibitKit
import Foundation
import Intake
import Testing

@Suite("Resume: entries committed by an earlier run are skipped but still count")
struct ResumeTests {
    /// a.txt, nested.zip (2 entries), b.bin, c.bin — as a tar.gz, so skipping means decompressing.
    func make(_ s: Scratch) throws -> String {
        try s.write("src/a.txt", "first\n")
        try s.write("in/x.txt", "x inside\n")
        try s.write("in/y.bin", noise(40_000, seed: 9))
        try s.run("/usr/bin/zip", ["-q", "../src/nested.zip", "x.txt", "y.bin"], in: s.work.appendingPathComponent("in"))
        try s.write("src/b.bin", noise(60_000, seed: 10))
        try s.write("src/c.bin", noise(60_000, seed: 11))
        try s.run("/usr/bin/bsdtar", ["-czf", "../ev.tgz", "a.txt", "nested.zip", "b.bin", "c.bin"], in: s.work.appendingPathComponent("src"))
        return s.path("ev.tgz")
    }

    struct Row: Equatable {
        var position: [Int], path: String, status: EntryStatus, size: Int64, sha256: String?, message: String?
        init(_ e: IntakeEntry) {
            position = e.position; path = e.virtualPath; status = e.status; size = e.size; sha256 = e.hashes?.sha256; message = e.message
        }
    }

    /// What an engine would return for committed positions: the entry's own expansion, plus its
    /// subtree's for a container.
    func committed(_ r: WalkResult, upTo count: Int) -> [[Int]: Int64] {
        var out: [[Int]: Int64] = [:]
        for e in r.entries where e.position.count == 1 && e.position[0] < count {
            out[e.position] = (e.expandedBytes ?? 0) + (r.ends.first { $0.position == e.position }?.expandedBytes ?? 0)
        }
        return out
    }

    @Test("a resumed walk emits exactly the uncommitted entries, identically", arguments: [
        IntakeBudgets(), IntakeBudgets(maxTotalBytes: 150_000),
    ])
    func resume(budgets: IntakeBudgets) throws {
        let s = try Scratch()
        let path = try make(s)
        let full = try walk(path, options: s.options(budgets))
        #expect(full.paths == ["ev.tgz!/a.txt", "ev.tgz!/nested.zip", "ev.tgz!/nested.zip!/x.txt", "ev.tgz!/nested.zip!/y.bin",
                               "ev.tgz!/b.bin", "ev.tgz!/c.bin"])
        let done = committed(full, upTo: 2)
        let resumed = try walk(path, options: s.options(budgets)) { done[$0] }
        #expect(resumed.entries.map(Row.init) == full.entries.filter { $0.position[0] >= 2 }.map(Row.init))
        #expect(!resumed.ends.contains { $0.position == [1] })
        let a = try #require(full.summary), b = try #require(resumed.summary)
        #expect(b.status == a.status)
        #expect(b.message == a.message)
        #expect(b.entryCount == a.entryCount)
        #expect(b.expandedBytes == a.expandedBytes)
        if budgets.maxTotalBytes == 150_000 {
            // The budget runs out inside c.bin in both runs, at the same byte.
            #expect(full.entry("ev.tgz!/c.bin")?.status == .limitExceeded)
        }
    }

    @Test("emit may throw: the walk stops with that error")
    func emitThrows() throws {
        struct Stop: Error {}
        let s = try Scratch()
        let path = try make(s)
        let walker = try IntakeWalker(options: s.options())
        var seen = 0
        #expect(throws: Stop.self) {
            _ = try walker.walk(EvidenceSource(path: path, label: "ev.tgz"), accountedBytes: { _ in nil }) { _ in
                seen += 1
                if seen == 2 { throw Stop() }
            }
        }
        #expect(seen == 2)
        #expect(try s.spoolFiles().isEmpty)
    }
}
