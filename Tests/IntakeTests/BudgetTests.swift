import ExhibitKit
import Foundation
import Intake
import Testing

@Suite("Budgets stop bombs with a recorded status")
struct BudgetTests {
    /// Five 100,000-byte incompressible files.
    func fiveFiles(_ s: Scratch) throws -> [String] {
        var names: [String] = []
        for i in 0..<5 {
            let n = "f\(i).bin"
            try s.write("src/\(n)", noise(100_000, seed: UInt64(i + 1)))
            names.append(n)
        }
        return names
    }

    @Test("total bytes in a zip: the entry that crosses is cut and hashed, later entries are still listed")
    func totalBytesZip() throws {
        let s = try Scratch()
        let names = try fiveFiles(s)
        try s.run("/usr/bin/zip", ["-q", "-0", "../ev.zip"] + names, in: s.work.appendingPathComponent("src"))
        try s.write("prefix.bin", noise(100_000, seed: 3).prefix(50_000))
        let r = try walk(s.path("ev.zip"), options: s.options(IntakeBudgets(maxTotalBytes: 250_000)))
        #expect(r.entries.map(\.status) == [.ok, .ok, .limitExceeded, .limitExceeded, .limitExceeded])
        let cut = r.entries[2]
        #expect(cut.size == 50_000)
        #expect(cut.hashes?.sha256 == (try referenceSHA256(s.path("prefix.bin"))))
        #expect(cut.message?.contains("--max-total-bytes") == true)
        #expect(r.entries[3].hashes == nil)
        #expect(r.entries[3].size == 0)
        #expect(r.summary?.status == .limitExceeded)
        #expect(r.summary?.entryCount == 5)
        #expect(r.summary?.expandedBytes == 250_000)
    }

    @Test("total bytes in a tar.gz: listing further would mean expanding, so the container stops")
    func totalBytesTarGz() throws {
        let s = try Scratch()
        let names = try fiveFiles(s)
        try s.run("/usr/bin/bsdtar", ["-czf", "../ev.tgz"] + names, in: s.work.appendingPathComponent("src"))
        let r = try walk(s.path("ev.tgz"), options: s.options(IntakeBudgets(maxTotalBytes: 250_000)))
        #expect(r.entries.map(\.status) == [.ok, .ok, .limitExceeded])
        #expect(r.summary?.status == .limitExceeded)
        #expect(r.summary?.message?.contains("--max-total-bytes") == true)
        #expect(r.summary?.entryCount == 3)
    }

    @Test("entries per archive")
    func entriesPerArchive() throws {
        let s = try Scratch()
        let names = try fiveFiles(s)
        try s.run("/usr/bin/zip", ["-q", "../ev.zip"] + names, in: s.work.appendingPathComponent("src"))
        let r = try walk(s.path("ev.zip"), options: s.options(IntakeBudgets(maxEntriesPerArchive: 3)))
        #expect(r.entries.count == 3)
        #expect(r.entries.allSatisfy { $0.status == .ok })
        #expect(r.summary?.status == .limitExceeded)
        #expect(r.summary?.message?.contains("--max-entries") == true)
        #expect(r.summary?.entryCount == 3)
    }

    @Test("bytes per entry in a tar.gz: the big entry is cut, its rest decompressed and counted, the walk goes on")
    func entryBytes() throws {
        let s = try Scratch()
        try s.write("src/big.bin", noise(300_000))
        try s.write("src/after.txt", "after\n")
        try s.run("/usr/bin/bsdtar", ["-czf", "../ev.tgz", "big.bin", "after.txt"], in: s.work.appendingPathComponent("src"))
        try s.write("prefix.bin", noise(300_000).prefix(100_000))
        let r = try walk(s.path("ev.tgz"), options: s.options(IntakeBudgets(maxEntryBytes: 100_000)))
        let big = try #require(r.entry("ev.tgz!/big.bin"))
        #expect(big.status == .limitExceeded)
        #expect(big.size == 100_000)
        #expect(big.hashes?.sha256 == (try referenceSHA256(s.path("prefix.bin"))))
        #expect(big.expandedBytes == 300_000)
        #expect(big.message?.contains("--max-entry-bytes") == true)
        #expect(r.entry("ev.tgz!/after.txt")?.status == .ok)
        #expect(r.summary?.status == .limitExceeded)
        #expect(r.summary?.expandedBytes == 300_006)
    }

    @Test("a ratio bomb inside a tar.gz stops the container: what follows lies behind the bomb")
    func ratioBombStream() throws {
        let s = try Scratch()
        try s.write("src/zeros.bin", Data(count: 8 << 20))
        try s.write("src/after.txt", "after\n")
        try s.run("/usr/bin/bsdtar", ["-czf", "../ev.tgz", "zeros.bin", "after.txt"], in: s.work.appendingPathComponent("src"))
        let r = try walk(s.path("ev.tgz"), options: s.options(IntakeBudgets(maxRatio: 50, ratioFloorBytes: 1 << 20)))
        #expect(r.paths == ["ev.tgz!/zeros.bin"])
        let z = try #require(r.entries.first)
        #expect(z.status == .limitExceeded)
        #expect(z.message?.contains("--max-ratio") == true)
        #expect(z.size > 1 << 20 && z.size < 8 << 20)
        #expect(z.hashes != nil)
        #expect(r.summary?.status == .limitExceeded)
    }

    @Test("the evidence-wide ratio catches many small bombs that pass the per-entry check")
    func evidenceRatio() throws {
        let s = try Scratch()
        var names: [String] = []
        for i in 0..<12 {
            try s.write("src/z\(i).bin", Data(count: 900_000))
            names.append("z\(i).bin")
        }
        try s.run("/usr/bin/zip", ["-q", "-9", "../ev.zip"] + names, in: s.work.appendingPathComponent("src"))
        let r = try walk(s.path("ev.zip"), options: s.options(IntakeBudgets(maxRatio: 200, ratioFloorBytes: 1 << 20)))
        #expect(r.entries.count == 12)
        #expect(r.entries[0].status == .ok)
        let stopped = r.entries.firstIndex { $0.status == .limitExceeded }
        #expect(stopped != nil)
        #expect(r.entries.last?.status == .limitExceeded)
        #expect(r.entries.last?.message?.contains("expansion ratio") == true)
        #expect(r.summary?.status == .limitExceeded)
    }

    @Test("nesting depth: the archive beyond the budget is hashed, not opened")
    func depth() throws {
        let s = try Scratch()
        try s.write("leaf.txt", "leaf\n")
        try s.run("/usr/bin/zip", ["-q", "l3.zip", "leaf.txt"])
        try s.run("/usr/bin/zip", ["-q", "l2.zip", "l3.zip"])
        try s.run("/usr/bin/zip", ["-q", "l1.zip", "l2.zip"])
        let r = try walk(s.path("l1.zip"), options: s.options(IntakeBudgets(maxDepth: 2)))
        #expect(r.paths == ["l1.zip!/l2.zip", "l1.zip!/l2.zip!/l3.zip"])
        let l3 = try #require(r.entry("l1.zip!/l2.zip!/l3.zip"))
        #expect(l3.status == .limitExceeded)
        #expect(l3.isContainer == false)
        #expect(l3.hashes?.sha256 == (try referenceSHA256(s.path("l3.zip"))))
        #expect(l3.message?.contains("--max-depth") == true)
        let deeper = try walk(s.path("l1.zip"), options: s.options(IntakeBudgets(maxDepth: 3)))
        #expect(deeper.paths.last == "l1.zip!/l2.zip!/l3.zip!/leaf.txt")
    }
}
