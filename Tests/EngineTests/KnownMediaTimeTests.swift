import ExhibitTesting
import Foundation
import GRDB
import Testing

/// The timeline picks up hash sets and perceptual hashes when the media migration's tables are
/// present: `media.known` events at the carrying messages' times, PDQ groups joining the
/// camera original with its re-encoded WhatsApp and Telegram copies in one spread, and the
/// "taken after it was first sent" clock check. The tables are created here with migration
/// v4-media's columns (IF NOT EXISTS: once that migration is merged, the real ones are used);
/// PDQ hashes are computed from the sample case's real pictures by the `pdqhash` Python package
/// (ImageMagick decodes), not written by hand.
@Suite("Known media and PDQ groups in the timeline (Time)")
struct KnownMediaTimeTests {
    static let camera = "phone-dump.zip!/sdcard/DCIM/Camera/IMG_20240828_151203.jpg"
    static let park = "phone-dump.zip!/sdcard/DCIM/Camera/IMG_20240829_190541.jpg"
    static let whatsapp = "phone-dump.zip!/sdcard/WhatsApp/Media/WhatsApp Images/Sent/IMG-20240828-WA0001.jpg"
    static let telegram = "phone-dump.zip!/sdcard/Download/Telegram/photo_1@28-08-2024_15-12-03.jpg"

    static let schema = """
        CREATE TABLE IF NOT EXISTS media_hashes (id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, analyzer_id TEXT NOT NULL,
            analyzer_version TEXT NOT NULL, algorithm TEXT NOT NULL, hash TEXT NOT NULL, quality INTEGER NOT NULL,
            frame_index INTEGER, frame_time_us INTEGER, variants TEXT);
        CREATE TABLE IF NOT EXISTS hashsets (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
            format TEXT NOT NULL, source_path TEXT NOT NULL, source_sha256 TEXT NOT NULL, source_size INTEGER NOT NULL,
            entry_count INTEGER NOT NULL, rejected_count INTEGER NOT NULL, skipped_count INTEGER NOT NULL DEFAULT 0,
            rejected_examples TEXT NOT NULL DEFAULT '[]', categories TEXT, imported_at_us INTEGER NOT NULL, imported_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS hashset_entries (id INTEGER PRIMARY KEY, hashset_id INTEGER NOT NULL, algorithm TEXT NOT NULL,
            hash TEXT NOT NULL, quality INTEGER, category TEXT, label TEXT, media_id TEXT, frame_index INTEGER, frame_time_us INTEGER);
        CREATE TABLE IF NOT EXISTS hashset_matches (id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, hashset_id INTEGER NOT NULL,
            entry_id INTEGER NOT NULL, algorithm TEXT NOT NULL, distance INTEGER NOT NULL, variant TEXT, media_hash_id INTEGER,
            frames_matched INTEGER, frames_known INTEGER);
        """

    /// PDQ (hex, quality) of each picture, from the evidence bytes.
    static func pdq(_ paths: [String]) throws -> [String: (String, Int)] {
        let script = """
            import re, sys, zipfile, subprocess, numpy, pdqhash
            z = zipfile.ZipFile(sys.argv[1])
            for name in sys.argv[2:]:
                ppm = subprocess.run(["convert", "jpg:-", "-depth", "8", "ppm:-"], input=z.read(name), capture_output=True, check=True).stdout
                head = re.match(rb"P6\\s+(\\d+)\\s+(\\d+)\\s+\\d+\\s", ppm)
                w, h = int(head.group(1)), int(head.group(2))
                img = numpy.frombuffer(ppm[head.end():], dtype=numpy.uint8)[: w * h * 3].reshape(h, w, 3)
                bits, quality = pdqhash.compute(img)
                print(name, "%064x" % int("".join(str(int(b)) for b in bits), 2), quality)
            """
        let names = paths.map { String($0.dropFirst("phone-dump.zip!/".count)) }
        let r = try Run.command("/usr/bin/env", ["python3", "-c", script, Corpus.url("sample-case/phone-dump.zip").path] + names)
        try #require(r.exitCode == 0, "pdqhash: \(r.stderr)")
        var out: [String: (String, Int)] = [:]
        for line in r.stdout.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 3, let q = Int(f[f.count - 1]) else { continue }
            out["phone-dump.zip!/" + f[0..<(f.count - 2)].joined(separator: " ")] = (String(f[f.count - 2]), q)
        }
        return out
    }

    @Test func knownMediaEventsPDQGroupsAndTheTakenAfterSentCheck() throws {
        let dir = try TestDirectory("timeline-known")
        defer { dir.remove() }
        let db = dir.path("case.sqlite")
        try FileManager.default.copyItem(atPath: TimelineTimeTests.db(), toPath: db)
        let hashes = try Self.pdq([Self.camera, Self.park, Self.whatsapp, Self.telegram])
        try #require(hashes.count == 4)
        let queue = try DatabaseQueue(path: db)
        try queue.write { c in
            try c.execute(sql: Self.schema)
            for (path, (hash, quality)) in hashes {
                try c.execute(sql: """
                    INSERT INTO media_hashes (file_id, analyzer_id, analyzer_version, algorithm, hash, quality)
                    SELECT id, 'media-hash', 'test', 'pdq', ?, ? FROM files WHERE path = ?
                    """, arguments: [hash, quality, path])
            }
            try c.execute(sql: """
                INSERT INTO hashsets (name, kind, format, source_path, source_sha256, source_size, entry_count, rejected_count,
                    imported_at_us, imported_at) VALUES ('test-known', 'known-bad', 'sha256-list', '/x', '00', 1, 1, 0, 0, '1970-01-01T00:00:00Z');
                INSERT INTO hashset_entries (hashset_id, algorithm, hash, category) VALUES (1, 'sha256', ?, 'test');
                INSERT INTO hashset_matches (file_id, hashset_id, entry_id, algorithm, distance)
                    SELECT id, 1, 1, 'sha256', 0 FROM files WHERE sha256 = ?;
                """, arguments: [TimelineTimeTests.telegramPhoto, TimelineTimeTests.telegramPhoto])
        }
        let rebuilt = try Run.command(Fixture.exhibit, ["case", "rebuild", "--db", db])
        #expect(rebuilt.exitCode == 0, "\(rebuilt.stderr)")

        // One media.known event per carrying message (four file copies, three messages).
        let known = try TimelineTimeTests.timeline(db, ["--kind", "media.known"])
        #expect(known.map { "\($0["utc"] ?? "") \($0["sender"] ?? "") \($0["chat"] ?? "")" } == [
            "2024-08-28T06:12:03Z Jun-ho Minji", "2024-08-28T09:00:00Z Jun-ho Concert fans", "2024-08-28T23:00:00Z Soo-ah Concert fans",
        ])
        #expect(known.allSatisfy { ($0["source"] as? String) == "hashset" && ($0["basis"] as? String) == "utc" })

        // The camera original and both re-encodings form one group; the park picture does not.
        let groups = try queue.read { c in try Row.fetchAll(c, sql: "SELECT sha256, cluster FROM media_clusters") }
        let clustered = Set(groups.map { $0["sha256"] as String })
        let sha = { (p: String) in try queue.read { try String.fetchOne($0, sql: "SELECT sha256 FROM files WHERE path = ?", arguments: [p]) } }
        #expect(clustered == Set([try sha(Self.camera), try sha(Self.whatsapp), try sha(Self.telegram)].compactMap { $0 }))
        let r = try Run.command(Fixture.exhibit, ["spread", "--db", db, "--known", "--json"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 1)
        let s = try #require(list.first)
        #expect(s["rooms"] as? Int == 3)
        #expect(s["senders"] as? Int == 2)
        #expect((s["members"] as? [String])?.count == 3)
        #expect(s["hashsets"] as? [String] == ["test-known"])
        let first = try #require(s["first"] as? [String: Any])
        #expect(first["utc"] as? String == "2024-08-28T06:12:00Z")
        #expect(first["platform"] as? String == "whatsapp")
        let text = try Run.command(Fixture.exhibit, ["spread", "--db", db, "--known"])
        #expect(text.stdout.contains("[known: test-known]"))
        // Taken 3 s after the WhatsApp send (minute precision): within tolerance, no discrepancy.
        #expect(try TimelineTimeTests.timeline(db, ["--kind", "clock.discrepancy"]).allSatisfy {
            ($0["description"] as? String)?.contains("first sent") != true })

        // A wrong zone assumption (UTC+14) puts the WhatsApp send 5 h before the camera's own
        // (offset-stamped) time: the correlation flags it.
        #expect(try Run.command(Fixture.exhibit, ["case", "set-tz", "--db", db, "Pacific/Kiritimati"]).exitCode == 0)
        let flagged = try TimelineTimeTests.timeline(db, ["--kind", "clock.discrepancy"]).filter {
            ($0["description"] as? String)?.contains("first sent") == true }
        #expect(flagged.count == 1)
        #expect(flagged.first?["file_path"] as? String == Self.camera)
        #expect(flagged.first?["utc"] as? String == "2024-08-28T06:12:03.120000Z")
        #expect((flagged.first?["description"] as? String)?.contains("first sent 2024-08-28T01:12:00Z, 300 min earlier") == true)
    }
}
