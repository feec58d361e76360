import ExhibitTesting
import Foundation
import GRDB
import Testing

/// End to end with the real binary: import known lists, ingest an archive of originals,
/// transformed copies and videos (corpora/media), and check `exhibit matches`.
@Suite(.serialized) struct MediaMatchTests {
    struct GoldenFile: Decodable {
        struct Image: Decodable { var pdq: String; var source: Int; var transform: String }
        var images: [String: Image]
        var dihedral: [String: [String]]
    }

    struct Match: Decodable {
        var path: String, hashSet: String, kind: String, algorithm: String, distance: Int
        var variant: String?, framesMatched: Int?, framesKnown: Int?
    }

    static func distance(_ a: String, _ b: String) -> Int {
        guard a.count == 64, b.count == 64 else { return 256 }
        var d = 0
        for (x, y) in zip(a, b) { d += ((x.hexDigitValue ?? 0) ^ (y.hexDigitValue ?? 0)).nonzeroBitCount }
        return d
    }

    func matches(_ db: String, all: Bool = false) throws -> [Match] {
        let r = try Run.command(Fixture.exhibit, ["matches", "--db", db, "--json"] + (all ? ["--all"] : []))
        #expect(r.exitCode == 0, "\(r.stderr)")
        // `--json` keys are snake_case (issue 15, item 18).
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode([Match].self, from: Data(r.stdout.utf8))
    }

    func hashset(_ db: String, _ args: [String]) throws -> CommandResult {
        try Run.command(Fixture.exhibit, ["hashset", "import", "--db", db] + args)
    }

    @Test func knownListsFindEveryCopyWithinThresholdAndNothingElse() throws {
        let dir = try TestDirectory("media-e2e")
        defer { dir.remove() }
        let media = Corpus.url("media").path
        let zip = dir.path("seized.zip")
        let z = try Run.shell("cd '\(media)' && zip -q -r '\(zip)' images videos")
        #expect(z.exitCode == 0)
        let db = dir.path("case.sqlite")
        var r = try hashset(db, ["--name", "known-pdq", "--kind", "known-bad", "\(media)/hashsets/pdq-list.txt"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        r = try hashset(db, ["--name", "known-sha", "--kind", "known-bad", "--algorithm", "sha256", "\(media)/hashsets/plain-sha256.txt"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        r = try hashset(db, ["--name", "known-video", "--kind", "known-bad", "\(media)/hashsets/known-video.vpdq"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        r = try Fixture.ingest([zip], db: db)
        #expect(r.exitCode == 0, "\(r.stderr)")

        let golden = try JSONDecoder().decode(GoldenFile.self, from: Data(contentsOf: Corpus.url("media/golden.json")))
        let found = try matches(db)
        let pdqPaths = Set(found.filter { $0.algorithm == "pdq" }.map { $0.path.components(separatedBy: "!/").last ?? "" })
        var expectedCount = 0
        for (name, g) in golden.images {
            let reference = golden.dihedral["scene\(g.source)-orig.jpg"] ?? []
            // The decision the reference implementation makes for this copy.
            let known = [1, 2, 3].contains(g.source)
            let expected = known && (reference.map { Self.distance($0, g.pdq) }.min() ?? 256) <= 31
            if expected { expectedCount += 1 }
            #expect(pdqPaths.contains("images/\(name)") == expected, "\(name) (\(g.transform)): expected match \(expected)")
        }
        #expect(expectedCount >= 30)
        #expect(!pdqPaths.contains("images/scene1-crop10.jpg"), "36 bits from the original: beyond the threshold")
        // Rotated and flipped copies match through their variant.
        for v in ["rot90", "rot180", "rot270", "flip-h", "flip-v", "transpose"] {
            let m = found.first { $0.path.hasSuffix("scene1-\(v).jpg") }
            #expect(m?.variant == v, "scene1-\(v).jpg matched via \(m?.variant ?? "nothing")")
        }
        // Exact SHA-256 matches: the three originals only.
        #expect(Set(found.filter { $0.algorithm == "sha256" }.map(\.path)).count == 3)
        // Videos built from the known sequence match; unrelated, truncated (half) and cropped round ones do not.
        let videos = Set(found.filter { $0.algorithm == "pdq-frame" }.map { $0.path.components(separatedBy: "/").last ?? "" })
        #expect(videos.isSuperset(of: ["slideshow.mp4", "slideshow.mov", "slideshow.mkv", "slideshow.webm", "slideshow.3gp", "slideshow.avi"]))
        #expect(!videos.contains("unrelated.mp4") && !videos.contains("truncated.mp4"))
        for m in found where m.algorithm == "pdq-frame" { #expect((m.framesMatched ?? 0) * 10 >= (m.framesKnown ?? 1) * 8) }

        // Damaged videos: what decoded was hashed and the damage recorded.
        let q = try Fixture.open(db)
        let truncated = try q.read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM media_hashes h JOIN files f ON f.id = h.file_id WHERE f.path LIKE '%truncated.mp4'
                """) ?? 0
        }
        #expect(truncated >= 2 && truncated < 8)
        let warned = try q.read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM analysis_errors WHERE analyzer_id = 'media-hash' AND path LIKE '%truncated.mp4' AND status = 'warning'
                """) ?? 0
        }
        #expect(warned >= 1)
        let corrupt = try q.read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM analysis_errors WHERE analyzer_id = 'media-hash' AND path LIKE '%corrupt.mp4' AND code = 'video-damaged'
                """) ?? 0
        }
        #expect(corrupt == 1, "damaged frames of corrupt.mp4 are recorded")
        let round = try q.read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM media_hashes h JOIN files f ON f.id = h.file_id WHERE f.path LIKE '%round.mp4' AND h.algorithm = 'pdq-frame'
                """) ?? 0
        }
        #expect(round == 8, "Telegram-style round video (no audio): one hash per second")

        // A list imported later is matched by `exhibit match` alone (the evidence is gone).
        try FileManager.default.removeItem(atPath: zip)
        let before = try matches(db, all: true).count
        r = try hashset(db, ["--name", "nsrl", "--kind", "known-good", "--no-match", "\(media)/hashsets/nsrl-rds.db"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(try matches(db, all: true).count == before, "--no-match leaves matches alone")
        r = try Run.command(Fixture.exhibit, ["match", "--db", db])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let after = try matches(db, all: true)
        let good = after.filter { $0.kind == "known-good" }
        #expect(good.count == 3)
        #expect(Set(good.map { $0.path.components(separatedBy: "/").last ?? "" }) == ["scene11-orig.jpg", "scene12-orig.jpg", "scene13-orig.jpg"])
        #expect(try matches(db).allSatisfy { $0.kind == "known-bad" }, "known-good is hidden without --all")
        // A tighter threshold drops the far copies.
        r = try Run.command(Fixture.exhibit, ["match", "--db", db, "--max-distance", "4"])
        #expect(r.exitCode == 0)
        #expect(try matches(db).filter { $0.algorithm == "pdq" }.allSatisfy { $0.distance <= 4 })
    }

    /// The sample case (make demo): known-bad PDQ + SHA-256 lists imported first, then the phone
    /// and PC; every copy of the concert picture is found with the chat messages that sent it.
    @Test func sampleCaseMatchesNameTheCarryingMessages() throws {
        struct Carrier: Decodable { var platform: String; var chat: String?; var sender: String?; var sentUtc: String? }
        struct Row: Decodable { var path: String; var hashSet: String; var algorithm: String; var distance: Int; var variant: String?; var messages: [Carrier] }
        let dir = try TestDirectory("media-sample")
        defer { dir.remove() }
        let db = dir.path("case.sqlite")
        let known = Corpus.url("sample-case/known-bad").path
        #expect(try hashset(db, ["--name", "pdq", "--kind", "known-bad", "--algorithm", "pdq", "\(known)/pdq.txt"]).exitCode == 0)
        #expect(try hashset(db, ["--name", "sha", "--kind", "known-bad", "--algorithm", "sha256", "\(known)/sha256.txt"]).exitCode == 0)
        let r = try Fixture.ingest([Corpus.url("sample-case/phone-dump.zip").path, Corpus.url("sample-case/pc-export.tar.gz").path],
                                   db: db, extra: ["--assume-tz", "Asia/Seoul"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let out = try Run.command(Fixture.exhibit, ["matches", "--db", db, "--json"])
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let rows = try decoder.decode([Row].self, from: Data(out.stdout.utf8))
        let paths = Set(rows.map { $0.path.components(separatedBy: "/").last ?? "" })
        #expect(paths == ["IMG_20240828_151203.jpg", "IMG-20240828-WA0001.jpg", "photo_1@28-08-2024_15-12-03.jpg",
                          "concert_rot90.jpg", "concert_small.jpg"], "\(paths)")
        #expect(!paths.contains("IMG_20240829_190541.jpg"), "the park picture is unrelated")
        #expect(rows.first { $0.path.hasSuffix("concert_rot90.jpg") }?.variant == "rot90")
        #expect(rows.filter { $0.algorithm == "sha256" }.count == 3, "the Telegram copy, three times")
        let telegram = rows.first { $0.path.hasSuffix("photos/photo_1@28-08-2024_15-12-03.jpg") }
        #expect(telegram?.messages.contains { $0.platform == "telegram" && $0.sender == "Jun-ho" && $0.sentUtc == "2024-08-28T06:12:03Z" } == true)
        let whatsapp = rows.first { $0.path.hasSuffix("WhatsApp Chat with Minji/IMG-20240828-WA0001.jpg") }
        #expect(whatsapp?.messages.contains { $0.platform == "whatsapp" && $0.sentUtc == "2024-08-28T06:12:00Z" } == true)
        // Text output: no pixels, just paths, hashes, distances, messages.
        let text = try Run.command(Fixture.exhibit, ["matches", "--db", db]).stdout
        #expect(text.contains("carried by message") && text.contains("via rot90"))
    }

    /// Exit codes and messages of `exhibit hashset import` / `list` (docs/cli.md).
    @Test func hashSetCommandsReportCleanly() throws {
        let dir = try TestDirectory("media-cli")
        defer { dir.remove() }
        let db = dir.path("case.sqlite")
        let sets = Corpus.url("media/hashsets").path
        var r = try hashset(db, ["--name", "x", "--kind", "suspicious", "\(sets)/plain-md5.txt"])
        #expect(r.exitCode == 2 && r.stderr.contains("--kind"))
        r = try hashset(db, ["--name", "x", "--kind", "known-bad", "\(sets)/ncmec-bad.xml"])
        #expect(r.exitCode == 1 && r.stderr.contains("no valid entries"))
        r = try hashset(db, ["--name", "x", "--kind", "known-bad", "\(sets)/plain-bad.txt"])
        #expect(r.exitCode == 0 && r.stdout.contains("1 entries, 3 rejected") && r.stdout.contains("rejected line 2"))
        r = try hashset(db, ["--name", "x", "--kind", "known-bad", "\(sets)/plain-bad.txt"])
        #expect(r.exitCode == 0 && r.stdout.contains("already imported"))
        r = try hashset(db, ["--name", "x", "--kind", "known-bad", "\(sets)/plain-md5.txt"])
        #expect(r.exitCode == 1 && r.stderr.contains("already exists"))
        r = try Run.command(Fixture.exhibit, ["hashset", "list", "--db", db])
        #expect(r.exitCode == 0 && r.stdout.hasPrefix("x\tknown-bad\tplain\t1 entries\t3 rejected"))
    }

    @Test func matchesAreDeterministicAcrossJobCounts() throws {
        let dir = try TestDirectory("media-det")
        defer { dir.remove() }
        let media = Corpus.url("media").path
        let zip = dir.path("seized.zip")
        #expect(try Run.shell("cd '\(media)' && zip -q -r '\(zip)' images/scene1-* videos/slideshow.mp4").exitCode == 0)
        var digests: [String] = []
        for jobs in ["1", "2"] {
            let db = dir.path("case\(jobs).sqlite")
            #expect(try hashset(db, ["--name", "k", "--kind", "known-bad", "\(media)/hashsets/pdq-list.txt"]).exitCode == 0)
            #expect(try Fixture.ingest([zip], db: db, extra: ["--jobs", jobs]).exitCode == 0)
            digests.append(try Fixture.digest(db))
            let rows = try Fixture.open(db).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM hashset_matches") ?? 0 }
            #expect(rows > 10)
        }
        #expect(digests[0] == digests[1])
    }
}
