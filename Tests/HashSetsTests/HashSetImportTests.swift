import EvidenceStore
import ExhibitTesting
import Foundation
import HashSets
import Testing

/// Every hash-set format in corpora/media/hashsets (made by make_fixtures.py) and its
/// malformed twin, imported into a real case database.
@Suite struct HashSetImportTests {
    func withDB(_ body: (EvidenceDatabase) throws -> Void) throws {
        let dir = try TestDirectory("hashsets")
        defer { dir.remove() }
        try body(try EvidenceDatabase(path: dir.path("case.sqlite")))
    }

    func set(_ name: String) -> String { Corpus.url("media/hashsets/\(name)").path }

    func importSet(_ db: EvidenceDatabase, _ file: String, name: String? = nil, kind: String = "known-bad", algorithm: String? = nil,
                   categories: Set<String>? = nil) throws -> (set: HashSetRecord, fresh: Bool, format: HashSetFormat) {
        try HashSetImporter.run(db, HashSetImportRequest(path: set(file), name: name ?? file, kind: kind, algorithm: algorithm,
                                                         categories: categories), nowMicros: 1_700_000_000_000_000)
    }

    @Test(arguments: [
        ("plain-md5.txt", nil as String?, HashSetFormat.plain, 3),
        ("plain-sha1.txt", nil, .plain, 3),
        ("plain-sha256.txt", nil, .plain, 3), // "# sha256" header decides
        ("md5sum.txt", nil, .md5sum, 3),
        ("sha256sum.txt", nil, .md5sum, 3),
        ("hashdeep.txt", nil, .hashdeep, 6), // md5 + sha256 per line
        ("nsrl-rds.db", nil, .nsrl, 3),
        ("vics-v1.json", nil, .vics, 6), // MD5 + SHA1
        ("vics-v2-media.json", nil, .vics, 12), // + SHA256 + PDQ alternatives
        ("vics-v2-cases.json", nil, .vics, 12),
        ("ncmec.xml", nil, .ncmec, 9),
        ("pdq-list.txt", nil, .pdq, 3),
        ("known-video.vpdq", nil, .vpdq, 8),
    ])
    func importsEveryFormat(file: String, algorithm: String?, format: HashSetFormat, entries: Int) throws {
        try withDB { db in
            let r = try importSet(db, file, algorithm: algorithm)
            #expect(r.fresh)
            #expect(r.format == format)
            #expect(r.set.entryCount == entries, "\(file): \(r.set.entryCount)")
            #expect(r.set.rejectedCount == 0, "\(file): \(r.set.rejectedExamples)")
            #expect(r.set.sourceSHA256.count == 64)
            // Idempotent: the same file under the same name changes nothing.
            let again = try importSet(db, file, algorithm: algorithm)
            #expect(!again.fresh && again.set.id == r.set.id && again.set.entryCount == entries)
            #expect(try db.hashSets().count == 1)
        }
    }

    @Test func malformedLinesAreCountedWithExamples() throws {
        try withDB { db in
            let plain = try importSet(db, "plain-bad.txt")
            #expect(plain.set.entryCount == 1 && plain.set.rejectedCount == 3)
            #expect(plain.set.rejectedExamples.first?.hasPrefix("line 2") == true)
            let deep = try importSet(db, "hashdeep-bad.txt")
            #expect(deep.set.entryCount == 2 && deep.set.rejectedCount == 2)
            let pdq = try importSet(db, "pdq-list-bad.txt", algorithm: "pdq")
            #expect(pdq.set.entryCount == 1 && pdq.set.rejectedCount == 3)
            let sums = try importSet(db, "md5sum-bad.txt")
            #expect(sums.format == .md5sum && sums.set.entryCount == 1 && sums.set.rejectedCount == 2)
        }
    }

    @Test(arguments: ["vics-bad.json", "vics-v1-bad.json", "ncmec-bad.xml", "vpdq-bad.vpdq"])
    func filesWithNothingValidFailCleanly(file: String) throws {
        let dir = try TestDirectory("hashsets-bad")
        defer { dir.remove() }
        let db = try EvidenceDatabase(path: dir.path("case.sqlite"))
        #expect(throws: HashSetImportError.self) { try importSet(db, file) }
        let sets = try db.hashSets()
        #expect(sets.isEmpty, "a failed import leaves nothing")
    }

    @Test func notNSRLIsRefused() throws {
        let dir = try TestDirectory("hashsets-nsrl")
        defer { dir.remove() }
        let db = try EvidenceDatabase(path: dir.path("case.sqlite"))
        #expect(throws: HashSetRequestError.self) { try importSet(db, "nsrl-bad.db") }
        let sets = try db.hashSets()
        #expect(sets.isEmpty)
    }

    @Test func sixtyFourHexNeedsAnAlgorithm() throws {
        let dir = try TestDirectory("hex64")
        defer { dir.remove() }
        let list = dir.path("list.txt")
        try (String(repeating: "ab", count: 32) + "\n").write(toFile: list, atomically: true, encoding: .utf8)
        let db = try EvidenceDatabase(path: dir.path("case.sqlite"))
        #expect(throws: HashSetRequestError.self) {
            try HashSetImporter.run(db, HashSetImportRequest(path: list, name: "x", kind: "known-bad"), nowMicros: 0)
        }
        let ok = try HashSetImporter.run(db, HashSetImportRequest(path: list, name: "x", kind: "known-bad", algorithm: "sha256"), nowMicros: 0)
        #expect(ok.set.entryCount == 1)
        // Same name, other content: refused rather than mixed.
        try (String(repeating: "cd", count: 32) + "\n").write(toFile: list, atomically: true, encoding: .utf8)
        #expect(throws: HashSetImportError.self) {
            try HashSetImporter.run(db, HashSetImportRequest(path: list, name: "x", kind: "known-bad", algorithm: "sha256"), nowMicros: 0)
        }
    }

    @Test func vicsCategoriesChooseWhatCounts() throws {
        try withDB { db in
            let r = try importSet(db, "vics-v2-media.json", categories: ["1"])
            #expect(r.set.entryCount == 8 && r.set.skippedCount == 1 && r.set.categories == "1")
        }
    }
}

/// The multi-index gives exactly what a linear scan gives.
@Suite struct PDQIndexTests {
    @Test func searchEqualsLinearScan() throws {
        var rng = SplitMix(seed: 42)
        func random() -> PDQBits {
            let hex = (0..<4).map { _ in String(format: "%016llx", rng.next()) }.joined()
            return PDQBits(hex: hex) ?? PDQBits(hex: String(repeating: "0", count: 64))!
        }
        var hashes = (0..<20_000).map { _ in random() }
        // Plant near neighbours of the first 50 at distances 0…40.
        for i in 0..<50 {
            var h = hashes[i]
            for b in 0..<(i % 41) { h.w0 ^= (b < 64 ? 1 << UInt64(b) : 0) }
            hashes.append(h)
        }
        let index = PDQIndex(hashes)
        for q in hashes.prefix(60) {
            let fast = index.search(q, maxDistance: 31).map(\.slot)
            let slow = hashes.indices.filter { hashes[$0].distance(q) <= 31 }
            #expect(fast == slow)
        }
    }
}
