import ExhibitKit
import Foundation
import Intake
import Testing

@Suite("Basic walks over archives made by real tools")
struct BasicWalkTests {
    @Test("zip: every entry hashed like the source file, MIME by content, zip UT times in UTC")
    func zipEntries() throws {
        let s = try Scratch()
        try s.write("src/a.txt", "hello world\n")
        try s.write("src/sub/b.bin", noise(300_000))
        try s.run("/usr/bin/zip", ["-q", "../ev.zip", "a.txt", "sub", "sub/b.bin"], in: s.work.appendingPathComponent("src"))
        let r = try walk(s.path("ev.zip"), options: s.options())

        #expect(r.paths == ["ev.zip!/a.txt", "ev.zip!/sub", "ev.zip!/sub/b.bin"])
        let a = try #require(r.entry("ev.zip!/a.txt"))
        #expect(a.position == [0])
        #expect(a.kind == .file)
        #expect(a.status == .ok)
        #expect(a.size == 12)
        #expect(a.declaredSize == 12)
        #expect(a.hashes == FileHashes(md5: "6f5902ac237024bdd0c176cb93063dc4", sha1: "22596363b3de40b06f981fb85d82312e8c0ed511",
                                       sha256: "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"))
        #expect(a.mime == "text/plain")
        #expect(a.rawName == Array("a.txt".utf8))
        #expect(a.nameEncoding == "utf-8")
        #expect(a.flags.isEmpty)
        #expect(a.isContainer == false)
        // Info-ZIP writes an extended-timestamp field: the time is UTC and equals the file's mtime.
        let mtime = try #require(a.times.modified)
        #expect(mtime.basis == .utc)
        let attrs = try FileManager.default.attributesOfItem(atPath: s.path("src/a.txt"))
        let fileMtime = try #require(attrs[.modificationDate] as? Date)
        #expect(mtime.utcMicros == Int64(fileMtime.timeIntervalSince1970) * 1_000_000)

        let dir = try #require(r.entry("ev.zip!/sub"))
        #expect(dir.kind == .directory)
        #expect(dir.hashes == nil)
        #expect(dir.mime == nil)

        let b = try #require(r.entry("ev.zip!/sub/b.bin"))
        #expect(b.hashes?.sha256 == (try referenceSHA256(s.path("src/sub/b.bin"))))
        #expect(b.size == 300_000)
        #expect(b.mime == "application/octet-stream")
        if case .memory(let d) = b.content { #expect(d.count == 300_000) } else { Issue.record("expected in-memory content") }

        let end = try #require(r.summary)
        #expect(end.position == [])
        #expect(end.status == .ok)
        #expect(end.entryCount == 3)
        #expect(end.format == "ZIP 2.0 (deflation)" || end.format == "ZIP 1.0 (uncompressed)")
        #expect(end.flags.isEmpty)
        #expect(end.expandedBytes == 300_012)
        #expect(r.order == ["entry 0", "entry 1", "entry 2", "end "])
    }

    @Test("tar.gz holding a zip holding a tar: recursion by content, positions and virtual paths per level")
    func nested() throws {
        let s = try Scratch()
        try s.write("in/deep.txt", "deep\n")
        try s.run("/usr/bin/bsdtar", ["-cf", "../inner.tar", "deep.txt"], in: s.work.appendingPathComponent("in"))
        // Named .dat: nesting is detected by content, not by name.
        try s.run("/usr/bin/zip", ["-q", "mid.dat", "inner.tar"])
        try s.write("note.txt", "note\n")
        try s.run("/usr/bin/bsdtar", ["-czf", "outer.tar.gz", "note.txt", "mid.dat"])
        let r = try walk(s.path("outer.tar.gz"), options: s.options())

        #expect(r.paths == ["outer.tar.gz!/note.txt", "outer.tar.gz!/mid.dat", "outer.tar.gz!/mid.dat!/inner.tar",
                            "outer.tar.gz!/mid.dat!/inner.tar!/deep.txt"])
        #expect(r.entries.map(\.position) == [[0], [1], [1, 0], [1, 0, 0]])
        #expect(r.order == ["entry 0", "entry 1", "entry 1/0", "entry 1/0/0", "end 1/0", "end 1", "end "])
        let mid = try #require(r.entry("outer.tar.gz!/mid.dat"))
        #expect(mid.isContainer)
        #expect(mid.mime == "application/zip")
        #expect(mid.hashes?.sha256 == (try referenceSHA256(s.path("mid.dat"))))
        let deep = try #require(r.entry("outer.tar.gz!/mid.dat!/inner.tar!/deep.txt"))
        #expect(deep.hashes?.sha256 == (try referenceSHA256(s.path("in/deep.txt"))))
        #expect(deep.times.modified?.basis == .utc)
        #expect(r.summary?.format == "GNU tar format + gzip" || r.summary?.format == "POSIX pax interchange format + gzip"
                || r.summary?.format?.hasSuffix("+ gzip") == true)
        let midEnd = try #require(r.ends.first { $0.position == [1] })
        #expect(midEnd.status == .ok)
        #expect(midEnd.entryCount == 1)
        #expect(midEnd.format?.hasPrefix("ZIP") == true)
        let tarEnd = try #require(r.ends.first { $0.position == [1, 0] })
        #expect(tarEnd.expandedBytes == 5)
    }

    @Test("bare compressed files: one entry named without the suffix", arguments: [
        ("gzip", ["-k"], ".gz"), ("xz", ["-k"], ".xz"), ("bzip2", ["-k"], ".bz2"), ("zstd", ["-q", "-k"], ".zst"),
        ("lz4", ["-q", "-k", "-m"], ".lz4"), ("lzip", ["-k"], ".lz"),
    ])
    func bareCompressed(tool: String, args: [String], suffix: String) throws {
        let s = try Scratch()
        try s.write("report.csv", "a,b\n1,2\n")
        let toolPath = ["/usr/bin/\(tool)", "/bin/\(tool)"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? tool
        try s.run(toolPath, args + ["report.csv"])
        let r = try walk(s.path("report.csv" + suffix), options: s.options())
        #expect(r.paths == ["report.csv\(suffix)!/report.csv"])
        let e = try #require(r.entries.first)
        #expect(e.status == .ok)
        #expect(e.hashes?.sha256 == (try referenceSHA256(s.path("report.csv"))))
        #expect(e.size == 8)
        #expect(r.summary?.status == .ok)
        #expect(r.summary?.format?.hasPrefix("raw + ") == true)
    }

    @Test("a file that is neither archive nor compressed: container unsupported, no entries")
    func notAnArchive() throws {
        let s = try Scratch()
        try s.write("plain.txt", "just text\n")
        let r = try walk(s.path("plain.txt"), options: s.options())
        #expect(r.entries.isEmpty)
        #expect(r.summary?.status == .unsupported)
        #expect(r.summary?.message == "Unrecognized archive format")
    }

    @Test("a missing evidence path is a run error, thrown")
    func missingEvidence() throws {
        let s = try Scratch()
        #expect(throws: IntakeError.self) { try walk(s.path("nope.zip"), options: s.options()) }
    }
}

@Suite("Evidence hashing and library versions")
struct EvidenceHashTests {
    @Test("hashFile gives the three digests of the whole file, as the system tools do")
    func hashFile() throws {
        let s = try Scratch()
        let path = try s.write("ev.bin", noise(3_000_000, seed: 42))
        let (hashes, size) = try IntakeWalker.hashFile(atPath: path)
        #expect(size == 3_000_000)
        #expect(hashes.sha256 == (try referenceSHA256(path)))
        #expect(hashes.md5 == String(try Scratch.runStatic("/usr/bin/md5sum", [path]).prefix(32)))
        #expect(hashes.sha1 == String(try Scratch.runStatic("/usr/bin/sha1sum", [path]).prefix(40)))
        #expect(throws: IntakeError.self) { try IntakeWalker.hashFile(atPath: s.path("missing")) }
    }

    @Test("library versions name libarchive 3.6.2 and libmagic with its database")
    func versions() {
        let v = IntakeWalker.libraryVersions
        #expect(v["libarchive"]?.hasPrefix("libarchive 3.6.2") == true)
        #expect(v["libmagic"]?.hasPrefix("5.44") == true)
        #expect(v["libmagic"]?.contains("magic") == true)
    }
}
