import ExhibitKit
import Foundation
import Intake
import Testing

/// A hash-only walk (`retainContent: false`) keeps an entry's first MiB in the walker's recycled
/// buffer until it knows whether the entry is a nested archive; it must see exactly what a walk
/// that keeps everything sees.
@Suite("Hash-only walk")
struct HashOnlyTests {
    static let window = 1 << 20

    @Test("hash-only and content-keeping walks agree on every entry; kept bytes are the entry's bytes")
    func hashOnlyMatchesFullWalk() throws {
        let s = try Scratch()
        let text = Data(String(repeating: "evidence seized from the phone 사진 영상 대화\n", count: 40_000).utf8)
        var files: [String: Data] = [
            "small.txt": Data("a short note\n".utf8),
            "mid.bin": noise(600_000, seed: 3),
            "exact.bin": noise(Self.window, seed: 4),
            "big.bin": noise(3 * Self.window + 17, seed: 5),
            "bigtext.txt": text,
        ]
        for (name, data) in files { try s.write("src/\(name)", data) }
        // A nested zip longer than the window (decided from its head) and a small gzip (decided at its end).
        try s.write("in/inner.txt", "inside the nested zip\n")
        try s.write("in/pad.bin", noise(2 * Self.window, seed: 6))
        try s.run("/usr/bin/zip", ["-q", "-0", "../src/nested.zip", "inner.txt", "pad.bin"], in: s.work.appendingPathComponent("in"))
        try s.write("src/note.txt", "gzipped note\n")
        try s.run("/usr/bin/gzip", ["-n", "note.txt"], in: s.work.appendingPathComponent("src"))
        files["nested.zip"] = try Data(contentsOf: URL(fileURLWithPath: s.path("src/nested.zip")))
        files["note.txt.gz"] = try Data(contentsOf: URL(fileURLWithPath: s.path("src/note.txt.gz")))
        let names = files.keys.sorted()
        try s.run("/usr/bin/zip", ["-q", "../ev.zip"] + names, in: s.work.appendingPathComponent("src"))

        var hashOnlyOptions = s.options()
        hashOnlyOptions.retainContent = false
        let hashOnly = try walk(s.path("ev.zip"), options: hashOnlyOptions)
        let full = try walk(s.path("ev.zip"), options: s.options())

        #expect(hashOnly.order == full.order)
        #expect(hashOnly.paths.contains("ev.zip!/nested.zip!/inner.txt"))
        #expect(hashOnly.paths.contains("ev.zip!/note.txt.gz!/note.txt"))
        try #require(hashOnly.entries.count == full.entries.count)
        for (a, b) in zip(hashOnly.entries, full.entries) {
            #expect(a.virtualPath == b.virtualPath)
            #expect(a.size == b.size, "\(a.virtualPath)")
            #expect(a.hashes == b.hashes, "\(a.virtualPath)")
            #expect(a.mime == b.mime, "\(a.virtualPath)")
            #expect(a.status == b.status, "\(a.virtualPath)")
            #expect(a.isContainer == b.isContainer, "\(a.virtualPath)")
        }
        #expect(hashOnly.entry("ev.zip!/nested.zip")?.isContainer == true)
        #expect(hashOnly.entry("ev.zip!/note.txt.gz")?.isContainer == true)
        #expect(hashOnly.entry("ev.zip!/bigtext.txt")?.mime == "text/plain")

        for name in names {
            let e = try #require(hashOnly.entry("ev.zip!/\(name)"))
            #expect(e.hashes?.sha256 == (try referenceSHA256(s.path("src/\(name)"))), "\(name)")
            let data = try #require(files[name])
            switch e.content {
            case .memory(let kept):
                // Shorter than the window (or a nested archive): kept, byte for byte.
                #expect(data.count < Self.window || e.isContainer, "\(name)")
                #expect(kept == data, "\(name)")
            case .temporaryFile:
                #expect(e.isContainer, "\(name) spooled without being a nested archive")
            case .none:
                // At least a window long and not an archive: hashed in passing, not kept.
                #expect(data.count >= Self.window && !e.isContainer, "\(name)")
            }
        }
        #expect(try s.spoolFiles().isEmpty)
    }
}
