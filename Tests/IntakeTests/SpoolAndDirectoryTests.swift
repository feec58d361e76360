import ExhibitKit
import Foundation
import Intake
import Testing

@Suite("Spooling, leases and directory evidence")
struct SpoolAndDirectoryTests {
    @Test("entries above the memory threshold go to a private 0600 spool file that dies with its lease")
    func spoolLifecycle() throws {
        let s = try Scratch()
        try s.write("src/big.bin", noise(200_000))
        try s.write("src/small.txt", "tiny\n")
        try s.write("in/inner.txt", "inside a spooled zip\n")
        try s.write("in/pad.bin", noise(50_000, seed: 7))
        try s.run("/usr/bin/zip", ["-q", "-0", "../src/nested.zip", "inner.txt", "pad.bin"], in: s.work.appendingPathComponent("in"))
        try s.run("/usr/bin/bsdtar", ["-cf", "../ev.tar", "big.bin", "small.txt", "nested.zip"], in: s.work.appendingPathComponent("src"))
        let workBefore = try FileManager.default.subpathsOfDirectory(atPath: s.work.path).sorted()

        try inspectSpooled(s)
        // Every entry (and lease) of the walk is gone now: so are the spool files.
        #expect(try s.spoolFiles().isEmpty)
        // Nothing was written next to the evidence.
        #expect(try FileManager.default.subpathsOfDirectory(atPath: s.work.path).sorted() == workBefore)
    }

    private func inspectSpooled(_ s: Scratch) throws {
        let result = try walk(s.path("ev.tar"), options: s.options(threshold: 10_000))
        #expect(result.paths == ["ev.tar!/big.bin", "ev.tar!/small.txt", "ev.tar!/nested.zip", "ev.tar!/nested.zip!/inner.txt",
                                 "ev.tar!/nested.zip!/pad.bin"])
        let big = try #require(result.entry("ev.tar!/big.bin"))
        guard case .temporaryFile(let url) = big.content else {
            Issue.record("expected a spool file for a 200,000-byte entry with a 10,000-byte threshold")
            return
        }
        #expect(big.lease?.url == url)
        #expect(url.deletingLastPathComponent().path.hasSuffix(s.spool.lastPathComponent))
        #expect(!url.lastPathComponent.contains("big"), "the spool file must not carry the entry's name")
        let perms = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(perms == 0o600)
        #expect(try Data(contentsOf: url) == noise(200_000))
        #expect(big.hashes?.sha256 == (try referenceSHA256(s.path("src/big.bin"))))
        if case .memory(let d) = try #require(result.entry("ev.tar!/small.txt")).content { #expect(d == Data("tiny\n".utf8)) } else {
            Issue.record("small entry should stay in memory")
        }
        // The nested zip was spooled too, and opened seekably from its spool file.
        let nested = try #require(result.entry("ev.tar!/nested.zip"))
        #expect(nested.isContainer)
        if case .temporaryFile = nested.content {} else { Issue.record("nested zip should be spooled") }
        #expect(result.entry("ev.tar!/nested.zip!/pad.bin")?.hashes?.sha256 == (try referenceSHA256(s.path("in/pad.bin"))))

        // Three spool files exist while the entries are held (big.bin, nested.zip, pad.bin).
        #expect(try s.spoolFiles().count == 3)
    }

    @Test("directory evidence: sorted by raw name, a folder before its children, links recorded not followed")
    func directoryEvidence() throws {
        let s = try Scratch()
        let root = s.work.appendingPathComponent("dump")
        try s.write("dump/b.txt", "bee\n")
        try s.write("dump/A/inner.txt", "inner\n")
        try s.write("dump/a/z.txt", "zed\n")
        try s.write("inzip/x.txt", "in the zip\n")
        try s.run("/usr/bin/zip", ["-q", "../dump/a/arch.bin", "x.txt"], in: s.work.appendingPathComponent("inzip"))
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("etc-link").path, withDestinationPath: "/etc/passwd")
        #expect(mkfifo(root.appendingPathComponent("pipe").path, 0o600) == 0)
        let before = try FileManager.default.subpathsOfDirectory(atPath: root.path).sorted()

        let r = try walk(root.path, label: "dump", options: s.options())
        #expect(r.paths == ["dump!/A", "dump!/A/inner.txt", "dump!/a", "dump!/a/arch.bin", "dump!/a/arch.bin!/x.txt",
                            "dump!/a/z.txt", "dump!/b.txt", "dump!/etc-link", "dump!/pipe"])
        #expect(r.entries.map(\.position) == [[0], [1], [2], [3], [3, 0], [4], [5], [6], [7]])
        let link = try #require(r.entry("dump!/etc-link"))
        #expect(link.kind == .symlink)
        #expect(link.status == .link)
        #expect(link.linkTarget == "/etc/passwd")
        #expect(link.hashes == nil)
        let pipe = try #require(r.entry("dump!/pipe"))
        #expect(pipe.kind == .other)
        #expect(pipe.status == .unsupported)
        let dir = try #require(r.entry("dump!/A"))
        #expect(dir.kind == .directory)
        #expect(dir.times.modified?.basis == .utc)
        let z = try #require(r.entry("dump!/a/z.txt"))
        #expect(z.hashes?.sha256 == (try referenceSHA256(root.appendingPathComponent("a/z.txt").path)))
        #expect(z.rawName == Array("a/z.txt".utf8))
        #expect(z.times.modified?.basis == .utc)
        #expect(r.entry("dump!/a/arch.bin")?.isContainer == true)
        #expect(r.entry("dump!/a/arch.bin!/x.txt")?.hashes?.sha256 == (try referenceSHA256(s.path("inzip/x.txt"))))
        let summary = try #require(r.summary)
        #expect(summary.format == "directory")
        #expect(summary.entryCount == 8)
        #expect(r.order.last == "end ")
        #expect(r.order.contains("end 3"))
        #expect(try FileManager.default.subpathsOfDirectory(atPath: root.path).sorted() == before)
    }

    @Test("directory names that are not UTF-8 are read by their raw bytes and decoded like archive names")
    func directoryRawNames() throws {
        let s = try Scratch()
        let root = s.work.appendingPathComponent("raw")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        // "사진.txt" in CP949: not valid UTF-8, so Foundation cannot name it; create it with open(2).
        let name: [UInt8] = [0xBB, 0xE7, 0xC1, 0xF8, 0x2E, 0x74, 0x78, 0x74]
        let full = Array(root.path.utf8) + [0x2F] + name + [0]
        let fd = full.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { open($0, O_WRONLY | O_CREAT, 0o600) }
        }
        #expect(fd >= 0)
        _ = "photo\n".withCString { write(fd, $0, 6) }
        close(fd)
        let r = try walk(root.path, label: "raw", options: s.options())
        let e = try #require(r.entries.first)
        #expect(e.rawName == name)
        #expect(e.name == "사진.txt")
        #expect(e.nameEncoding == "CP949")
        #expect(e.virtualPath == "raw!/사진.txt")
        #expect(e.size == 6)
        #expect(e.status == .ok)
    }
}
