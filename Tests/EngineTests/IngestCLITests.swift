import EvidenceStore
import ExhibitKit
import ExhibitTesting
import Foundation
import GRDB
import Testing

/// `exhibit ingest` end to end through the real binary, on evidence made by real tools.
@Suite("IngestCLI Time", .serialized, .tags(.timeZone))
struct IngestCLITests {
    @Test func inventoryMatchesAReferenceExtraction() throws {
        let dir = try TestDirectory("cli"); defer { dir.remove() }
        let zip = try Fixture.sampleZip(in: dir)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([zip], db: db, extra: ["--assume-tz", "Asia/Seoul"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let items = summary?["evidence"] as? [[String: Any]]
        #expect(items?.first?["sha256"] as? String == (try Fixture.sha256(of: zip)))
        #expect((summary?["chain_head"] as? String)?.count == 64)

        // Reference: a real extraction with unzip + tar, hashed with sha256sum.
        let ref = dir.path("ref")
        try Run.shell("mkdir -p '\(ref)' && cd '\(ref)' && unzip -q '\(zip)' && mkdir n && tar -xzf nested.tar.gz -C n")
        let q = try Fixture.open(db)
        let rows = try q.read { try Row.fetchAll($0, sql: "SELECT path, sha256, status, kind, mime FROM files ORDER BY path") }
        var checked = 0
        for row in rows where (row["kind"] as String) == "file" {
            let path: String = row["path"]
            let inner = path.replacingOccurrences(of: "seized.zip!/nested.tar.gz!/", with: "n/")
                .replacingOccurrences(of: "seized.zip!/", with: "")
            #expect(row["sha256"] as String? == (try Fixture.sha256(of: "\(ref)/\(inner)")), "\(path)")
            #expect(row["status"] as String == "ok")
            checked += 1
        }
        #expect(checked == 12 + 4)   // 12 notes, blob.bin, nested.tar.gz, its inner/a.txt, the junked note1.txt
        let nested = try q.read { try Row.fetchOne($0, sql: "SELECT is_container, mime FROM files WHERE path = 'seized.zip!/nested.tar.gz'") }
        #expect(nested?["is_container"] as Int? == 1)
        #expect(nested?["mime"] as String? == "application/gzip")
        let integrity = try q.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
    }

    @Test func zipTimesKeepTheirBasis() throws {
        let dir = try TestDirectory("times"); defer { dir.remove() }
        let zip = try Fixture.sampleZip(in: dir)
        let db = dir.path("case.sqlite")
        #expect(try Fixture.ingest([zip], db: db, extra: ["--assume-tz", "Asia/Seoul"]).exitCode == 0)
        let q = try Fixture.open(db)
        // note0.txt was stored by Info-ZIP with an extended-timestamp field: a UTC time.
        let t = try q.read {
            try Row.fetchOne($0, sql: """
                SELECT t.utc, t.basis FROM file_times t JOIN files f ON f.id = t.file_id
                WHERE f.path = 'seized.zip!/docs/note0.txt' AND t.kind = 'modified'
                """)
        }
        #expect(t?["basis"] as String? == "utc")
        // `touch` read the wall clock in the test's TZ; the zip field holds that instant in UTC.
        let epoch = Int64(try Run.shell("date -d '2024-08-28 15:12:04' +%s").stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(t?["utc"] as String? == UTCFormat.string(micros: epoch * 1_000_000))

        // note1.txt was stored with `zip -X`: a bare DOS time, read in the declared case zone.
        let dos = try q.read {
            try Row.fetchOne($0, sql: """
                SELECT t.utc, t.basis, t.local_wallclock, t.precision FROM file_times t JOIN files f ON f.id = t.file_id
                WHERE f.path = 'seized.zip!/note1.txt' AND t.kind = 'modified'
                """)
        }
        #expect(dos?["basis"] as String? == "assumed-zone")
        #expect(dos?["local_wallclock"] as String? == "2024-08-28T15:12:04")
        #expect(dos?["utc"] as String? == "2024-08-28T06:12:04Z")
        #expect(dos?["precision"] as String? == "2s")
    }

    @Test func digestIgnoresJobsAndMachineZone() throws {
        let dir = try TestDirectory("digest"); defer { dir.remove() }
        let zip = try Fixture.sampleZip(in: dir)
        var digests: Set<String> = []
        for (i, (jobs, tz)) in [("1", "UTC"), ("2", "Asia/Seoul"), ("4", "America/New_York")].enumerated() {
            let db = dir.path("case\(i).sqlite")
            let r = try Fixture.ingest([zip], db: db, extra: ["--jobs", jobs, "--assume-tz", "Europe/Berlin"], environment: ["TZ": tz])
            #expect(r.exitCode == 0, "\(r.stderr)")
            digests.insert(try Fixture.digest(db))
        }
        #expect(digests.count == 1)
    }

    @Test func rerunIsIdempotent() throws {
        let dir = try TestDirectory("rerun"); defer { dir.remove() }
        let zip = try Fixture.sampleZip(in: dir)
        let db = dir.path("case.sqlite")
        #expect(try Fixture.ingest([zip], db: db).exitCode == 0)
        let before = try Fixture.digest(db)
        let again = try Fixture.ingest([zip], db: db)
        #expect(again.exitCode == 0)
        #expect(again.stdout.contains("already-complete"))
        #expect(try Fixture.digest(db) == before)
        let dup = try Fixture.open(db).read { try Int.fetchOne($0, sql: "SELECT count(*) - count(DISTINCT evidence_id || '|' || entry_key) FROM files") }
        #expect(dup == 0)
    }

    @Test func expectedHashMismatchIsLoudAndRecorded() throws {
        let dir = try TestDirectory("expect"); defer { dir.remove() }
        let zip = try Fixture.sampleZip(in: dir)
        let wrong = String(repeating: "ab", count: 32)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([zip], db: db, extra: ["--expect-sha256", wrong])
        #expect(r.exitCode == 3)
        #expect(r.stderr.contains("EVIDENCE INTEGRITY WARNING"))
        let q = try Fixture.open(db)
        #expect(try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files") } ?? 0 > 0)
        #expect(try q.read { try Int.fetchOne($0, sql: "SELECT expected_match FROM evidence") } == 0)

        let strictDB = dir.path("strict.sqlite")
        let s = try Fixture.ingest([zip], db: strictDB, extra: ["--expect-sha256", "\(zip)=\(wrong)", "--strict"])
        #expect(s.exitCode == 3)
        #expect(try Fixture.open(strictDB).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files") } == 0)

        let good = try Fixture.ingest([zip], db: dir.path("good.sqlite"), extra: ["--expect-sha256", try Fixture.sha256(of: zip), "--strict"])
        #expect(good.exitCode == 0)
    }

    @Test func verifyDetectsChangedEvidenceAndRewrittenLog() throws {
        let dir = try TestDirectory("verify"); defer { dir.remove() }
        let zip = try Fixture.sampleZip(in: dir)
        _ = try Fixture.sampleZip(in: dir, name: "second.zip", files: 2)
        let db = dir.path("case.sqlite")
        let key = dir.path("key.hex")
        try String(repeating: "5a", count: 32).write(toFile: key, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        let publicKey = try ChainSigner.publicKey(ofKeyFile: key)
        let r = try Fixture.ingest([zip, dir.path("second.zip")], db: db, extra: [
            "--sign-key", key, "--item", "seized.zip=ITEM-7", "--item", "\(dir.path("second.zip"))=ITEM-8",
            "--seized-by", "seized.zip=Officer Park", "--seized-at", "seized.zip=2024-09-01T10:00:00+09:00"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let ok = try Run.command(Fixture.exhibit, ["verify", "--db", db, "--public-key", publicKey])
        #expect(ok.exitCode == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("signature over chain head"))
        let custody = try Fixture.open(db).read { try Row.fetchOne($0, sql: "SELECT item, seized_by, seized_at_utc, seized_at_basis FROM evidence WHERE label = 'seized.zip'") }
        #expect(try Fixture.open(db).read { try String.fetchOne($0, sql: "SELECT item FROM evidence WHERE label = 'second.zip'") } == "ITEM-8")
        #expect(custody?["item"] as String? == "ITEM-7")
        #expect(custody?["seized_by"] as String? == "Officer Park")
        #expect(custody?["seized_at_utc"] as String? == "2024-09-01T01:00:00Z")
        #expect(custody?["seized_at_basis"] as String? == "offset")

        // Evidence changed after ingest.
        try Run.shell("printf x >> '\(zip)'")
        let changed = try Run.command(Fixture.exhibit, ["verify", "--db", db])
        #expect(changed.exitCode == 3)
        #expect(changed.stdout.contains("FAIL evidence seized.zip"))

        // A rewritten audit log: triggers dropped, one entry edited.
        let q = try DatabaseQueue(path: db)
        try q.write { db in
            let triggers = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
            for t in triggers { try db.execute(sql: "DROP TRIGGER \(t)") }
            try db.execute(sql: "UPDATE audit_log SET details = replace(details, 'Tester', 'Someone') WHERE seq = 1")
        }
        let tampered = try Run.command(Fixture.exhibit, ["verify", "--db", db])
        #expect(tampered.exitCode == 5)
        #expect(tampered.stdout.contains("FAIL audit chain"))
    }

    @Test func filesCommandFilters() throws {
        let dir = try TestDirectory("files"); defer { dir.remove() }
        let zip = try Fixture.sampleZip(in: dir)
        let db = dir.path("case.sqlite")
        #expect(try Fixture.ingest([zip], db: db).exitCode == 0)
        let r = try Run.command(Fixture.exhibit, ["files", "--db", db, "--path", "*/note1.txt", "--json"])
        #expect(r.exitCode == 0)
        let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.count == 2)   // docs/note1.txt and the junked copy note1.txt
        let text = try Run.command(Fixture.exhibit, ["files", "--db", db, "--mime", "application/gzip"])
        #expect(text.stdout.contains("seized.zip!/nested.tar.gz"))
        let missing = try Run.command(Fixture.exhibit, ["files", "--db", dir.path("nope.sqlite")])
        #expect(missing.exitCode == 1)
    }

    @Test func directoryEvidenceGetsAManifestHash() throws {
        let dir = try TestDirectory("dir"); defer { dir.remove() }
        let dump = dir.path("dump")
        try Run.shell("mkdir -p '\(dump)/DCIM' && printf 'a' > '\(dump)/DCIM/1.jpg' && printf 'bb' > '\(dump)/notes.txt' && ln -s /etc/shadow '\(dump)/escape'")
        let before = try Run.shell("find '\(dump)' -type f -exec stat -c '%n %X %Y' {} + | sort").stdout
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([dump], db: db)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let q = try Fixture.open(db)
        let ev = try q.read { try Row.fetchOne($0, sql: "SELECT kind, hash_kind, sha256 FROM evidence") }
        #expect(ev?["kind"] as String? == "directory")
        #expect(ev?["hash_kind"] as String? == "manifest")
        #expect((ev?["sha256"] as String?)?.count == 64)
        let link = try q.read { try Row.fetchOne($0, sql: "SELECT status, link_target FROM files WHERE name = 'escape'") }
        #expect(link?["status"] as String? == "link")
        #expect(link?["link_target"] as String? == "/etc/shadow")
        // Evidence untouched (content and times); verify re-computes the manifest.
        #expect(try Run.shell("find '\(dump)' -type f -exec stat -c '%n %X %Y' {} + | sort").stdout == before)
        #expect(try Run.command(Fixture.exhibit, ["verify", "--db", db]).exitCode == 0)
    }
}
