import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Known media in the timeline, through the real pipeline: the ingest's media-hash analyzer
/// computes every picture's PDQ, `exhibit hashset import` reads list files written here, and
/// `exhibit match` (run after the ingest) re-matches and refreshes the timeline. Checked:
/// `media.known` events at the carrying messages' times, the PDQ group joining the camera
/// original with its re-encoded WhatsApp, Telegram and shrunk copies across rooms, and the
/// "taken after it was first sent" clock check.
@Suite("Known media and PDQ groups in the timeline (Time)", .tags(.timeZone))
struct KnownMediaTimeTests {
    static let camera = "phone-dump.zip!/sdcard/DCIM/Camera/IMG_20240828_151203.jpg"
    static let park = "phone-dump.zip!/sdcard/DCIM/Camera/IMG_20240829_190541.jpg"
    static let whatsapp = "phone-dump.zip!/sdcard/WhatsApp/Media/WhatsApp Images/Sent/IMG-20240828-WA0001.jpg"
    static let telegram = "phone-dump.zip!/sdcard/Download/Telegram/photo_1@28-08-2024_15-12-03.jpg"
    static let small = "phone-dump.zip!/sdcard/Pictures/Edited/concert_small.jpg"
    static let rotated = "phone-dump.zip!/sdcard/Pictures/Edited/concert_rot90.jpg"
    static let screenshot = "phone-dump.zip!/sdcard/Pictures/Screenshots/Screenshot_20240830-101500.png"

    /// The concert picture's PDQ as PyPI `pdqhash` computed it when the sample case was made
    /// (corpora/sample-case/known-bad/pdq.txt, `hash,quality,label`): a reference value, not
    /// one of ours.
    static func referencePDQ() throws -> String {
        let text = try String(contentsOf: Corpus.url("sample-case/known-bad/pdq.txt"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { !$0.hasPrefix("#") })
        return String(try #require(line.split(separator: ",").first))
    }

    static func bits(_ hex: String) -> [UInt64] {
        let c = Array(hex.utf8)
        guard c.count == 64 else { return [] }
        return (0..<4).compactMap { UInt64(String(decoding: c[($0 * 16)..<($0 * 16 + 16)], as: UTF8.self), radix: 16) }
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let x = bits(a), y = bits(b)
        guard x.count == 4, y.count == 4 else { return 256 }
        return zip(x, y).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
    }

    static func run(_ args: [String]) throws {
        let r = try Run.command(Fixture.exhibit, args)
        #expect(r.exitCode == 0, "exhibit \(args.prefix(2).joined(separator: " ")): \(r.stderr)")
    }

    static func spread(_ db: String) throws -> [[String: Any]] {
        let r = try Run.command(Fixture.exhibit, ["spread", "--db", db, "--known", "--json"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
    }

    @Test func knownMediaEventsPDQGroupsAndTheTakenAfterSentCheck() throws {
        let dir = try TestDirectory("timeline-known")
        defer { dir.remove() }
        let db = dir.path("case.sqlite")
        // The shared case was ingested with no hash set: the lists below arrive later.
        try FileManager.default.copyItem(atPath: TimelineTimeTests.db(), toPath: db)
        let queue = try DatabaseQueue(path: db)
        let sha = { (p: String) in try queue.read { try String.fetchOne($0, sql: "SELECT sha256 FROM files WHERE path = ?", arguments: [p]) } ?? "?" }
        #expect(try sha(Self.telegram) == TimelineTimeTests.telegramPhoto)

        // A SHA-256 list (sha256sum format) naming the Telegram copy, then `exhibit match`.
        let shaList = dir.path("known-sha256.txt")
        try "# sha256 of a known picture\n\(TimelineTimeTests.telegramPhoto)  photo_1.jpg\n".write(toFile: shaList, atomically: true, encoding: .utf8)
        try Self.run(["hashset", "import", "--db", db, "--name", "test-known", "--kind", "known-bad", shaList])
        try Self.run(["match", "--db", db])

        // One media.known event per carrying message (four file copies, three messages), at the
        // messages' times: `exhibit match` rebuilt the timeline.
        let known = try TimelineTimeTests.timeline(db, ["--kind", "media.known"])
        #expect(known.map { "\($0["utc"] ?? "") \($0["sender"] ?? "") \($0["chat"] ?? "")" } == [
            "2024-08-28T06:12:03Z Jun-ho Minji", "2024-08-28T09:00:00Z Jun-ho Concert fans", "2024-08-28T23:00:00Z Soo-ah Concert fans",
        ])
        #expect(known.allSatisfy { ($0["source"] as? String) == "hashset" && ($0["basis"] as? String) == "utc" })
        #expect(known.allSatisfy { ($0["description"] as? String)?.hasSuffix("by sha256") == true })

        // The analyzer's PDQ groups: camera original, both re-encodings and the half-size copy
        // (every one within 31 bits of another member), and the 90°-turned copy — its unrotated
        // hash is far from all, but one of its dihedral variants is near the original; the park
        // picture and the screenshot are not grouped.
        let pdq = Dictionary(try queue.read { c in
            try Row.fetchAll(c, sql: "SELECT f.path, m.hash FROM media_hashes m JOIN files f ON f.id = m.file_id WHERE m.algorithm = 'pdq'")
        }.map { ($0[0] as String, $0[1] as String) }, uniquingKeysWith: { a, _ in a })
        let concert = [Self.camera, Self.whatsapp, Self.telegram, Self.small]
        for p in concert + [Self.park, Self.rotated, Self.screenshot] { #expect(pdq[p] != nil, "no PDQ for \(p)") }
        for p in concert {
            let d = concert.filter { $0 != p }.map { Self.distance(pdq[p] ?? "", pdq[$0] ?? "") }.min() ?? 256
            #expect(d <= 31, "\(p): nearest member \(d) bits away")
        }
        let variants = try queue.read { c in
            try String.fetchOne(c, sql: "SELECT m.variants FROM media_hashes m JOIN files f ON f.id = m.file_id WHERE f.path = ?",
                                arguments: [Self.rotated])
        } ?? ""
        let turnedHashes = variants.split(separator: "\"").map(String.init).filter { $0.count == 64 }
        #expect(turnedHashes.count == 7)
        #expect(turnedHashes.contains { h in concert.contains { Self.distance(h, pdq[$0] ?? "") <= 31 } },
                "no turned variant of the rotated copy is near the concert picture")
        for p in [Self.park, Self.rotated, Self.screenshot] {
            #expect(concert.allSatisfy { Self.distance(pdq[p] ?? "", pdq[$0] ?? "") > 31 }, "\(p) is near the concert picture")
        }
        let groups = try queue.read { c in try Row.fetchAll(c, sql: "SELECT sha256, cluster FROM media_clusters") }
        let members = Set(try (concert + [Self.rotated]).map(sha))
        #expect(Set(groups.map { $0["sha256"] as String }) == members)
        #expect(Set(groups.map { $0["cluster"] as String }) == ["pdq:" + (members.min() ?? "")])

        var list = try Self.spread(db)
        #expect(list.count == 1)
        var s = try #require(list.first)
        #expect(s["rooms"] as? Int == 3)
        #expect(s["senders"] as? Int == 2)
        #expect(Set(s["members"] as? [String] ?? []) == members)
        #expect(s["hashsets"] as? [String] == ["test-known"])
        let first = try #require(s["first"] as? [String: Any])
        #expect(first["utc"] as? String == "2024-08-28T06:12:00Z")
        #expect(first["platform"] as? String == "whatsapp")
        // The camera's own time of the group (EXIF with offset), beside the first appearance.
        let taken = try #require(s["taken"] as? [String: Any])
        #expect(taken["utc"] as? String == "2024-08-28T06:12:03.120000Z")
        #expect(taken["basis"] as? String == "offset")
        #expect(taken["path"] as? String == Self.camera)
        let text = try Run.command(Fixture.exhibit, ["spread", "--db", db, "--known"])
        #expect(text.stdout.contains("[known: test-known]"))
        // The case's zone with UTC beside it, and the basis (issue 15, item 8).
        #expect(text.stdout.contains("   taken:  2024-08-28 15:12:03 +09:00 (06:12:03.120000Z, offset)  camera clock, \(Self.camera)\n"), "\(text.stdout)")
        // Taken 3 s after the WhatsApp send (minute precision): within tolerance, no discrepancy.
        #expect(try TimelineTimeTests.timeline(db, ["--kind", "clock.discrepancy"]).allSatisfy {
            ($0["description"] as? String)?.contains("first sent") != true })

        // A PDQ list imported later: `exhibit match` finds every copy of the concert picture,
        // each at its true Hamming distance (the turned copy through its rot90 variant), and
        // the timeline gains the WhatsApp send and the copies no message carried.
        let reference = try Self.referencePDQ()
        let pdqList = dir.path("known-pdq.txt")
        try "\(reference),100,concert-stage\n".write(toFile: pdqList, atomically: true, encoding: .utf8)
        try Self.run(["hashset", "import", "--db", db, "--name", "test-pdq", "--kind", "known-bad", "--algorithm", "pdq", pdqList])
        try Self.run(["match", "--db", db])
        let matched = try queue.read { c in
            try Row.fetchAll(c, sql: """
                SELECT f.path, m.distance, m.variant FROM hashset_matches m JOIN files f ON f.id = m.file_id
                JOIN hashsets h ON h.id = m.hashset_id WHERE h.name = 'test-pdq'
                """)
        }
        let byPath = Dictionary(matched.map { ($0[0] as String, ($0[1] as Int, $0[2] as String?)) }, uniquingKeysWith: { a, _ in a })
        for p in concert {
            let expected = Self.distance(pdq[p] ?? "", reference)
            #expect(byPath[p]?.0 == expected && byPath[p]?.1 == "identity", "\(p): \(String(describing: byPath[p])), expected \(expected)")
        }
        let turned = try #require(byPath[Self.rotated])
        #expect(turned.1 == "rot90" && turned.0 <= 31 && turned.0 < Self.distance(pdq[Self.rotated] ?? "", reference))
        #expect(byPath[Self.park] == nil && byPath[Self.screenshot] == nil)

        let all = try TimelineTimeTests.timeline(db, ["--kind", "media.known"])
        let viaPDQ = all.filter { ($0["description"] as? String)?.contains("test-pdq") == true }
        #expect(all.count == known.count + viaPDQ.count)
        let sent = viaPDQ.filter { $0["sender"] is String }.map { "\($0["utc"] ?? "") \($0["sender"] ?? "") \($0["chat"] ?? "")" }
        #expect(Set(sent) == Set(["2024-08-28T06:12:00Z Jun-ho Minji"] + known.map { "\($0["utc"] ?? "") \($0["sender"] ?? "") \($0["chat"] ?? "")" }))
        #expect(Set(viaPDQ.filter { !($0["sender"] is String) }.compactMap { $0["file_path"] as? String }) == [Self.camera, Self.small, Self.rotated])
        list = try Self.spread(db)
        s = try #require(list.first { ($0["members"] as? [String])?.contains(try sha(Self.camera)) == true })
        #expect(s["hashsets"] as? [String] == ["test-known", "test-pdq"])
        let rotatedSHA = try sha(Self.rotated)
        #expect(list.contains { ($0["members"] as? [String] ?? [$0["sha256"] as? String ?? ""]).contains(rotatedSHA) },
                "the turned copy is listed as known media")

        // A wrong zone assumption (UTC+14) puts the WhatsApp send 5 h before the camera's own
        // (offset-stamped) time: the correlation flags it.
        #expect(try Run.command(Fixture.exhibit, ["case", "set-tz", "--db", db, "Pacific/Kiritimati"]).exitCode == 0)
        let flagged = try TimelineTimeTests.timeline(db, ["--kind", "clock.discrepancy"]).filter {
            ($0["description"] as? String)?.contains("first sent") == true }
        #expect(flagged.count == 1)
        #expect(flagged.first?["file_path"] as? String == Self.camera)
        #expect(flagged.first?["utc"] as? String == "2024-08-28T06:12:03.120000Z")
        #expect((flagged.first?["description"] as? String)?.contains("first sent 2024-08-28T01:12:00Z, 300 min earlier") == true)
        let after = try Run.command(Fixture.exhibit, ["spread", "--db", db, "--known"])
        #expect(after.stdout.contains("AFTER its first appearance: a clock is wrong"))
    }
}
