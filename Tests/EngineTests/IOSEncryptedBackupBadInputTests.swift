import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Encrypted backups that are damaged or arrive in another shape (issue 12, bad input): each ends
/// as recorded warnings and whatever decrypts; every stored file is still inventoried and hashed.
@Suite("iOS backups: encrypted, damaged or zipped")
struct IOSEncryptedBackupBadInputTests {
    static let password = IOSEncryptedBackupTests.password

    /// (stored path, device path of the decrypted child or nil, warning codes) for every stored
    /// file, sorted by path.
    static func storedFiles(_ db: String) throws -> [String] {
        try Fixture.open(db).read { c in
            try String.fetchAll(c, sql: """
                SELECT p.path || ' | ' || coalesce(k.device_path, '-') || ' | ' || coalesce(
                    (SELECT group_concat(e.code) FROM analysis_errors e WHERE e.evidence_id = p.evidence_id AND e.entry_key = p.entry_key AND e.analyzer_id = 'intake'), '-')
                FROM files p LEFT JOIN files k ON k.parent_key = p.entry_key AND k.evidence_id = p.evidence_id
                WHERE p.kind = 'file' AND p.depth = 0 ORDER BY p.path
                """)
        }
    }

    static func ingest(_ args: [String], extra: [String] = [], zip: Bool = false, _ name: String) throws -> (db: String, stderr: String, dir: TestDirectory) {
        let dir = try TestDirectory(name)
        var evidence = dir.path("backup")
        try IOSEncryptedBackupTests.make(evidence, ["--encrypted", password] + args)
        if zip {
            let r = try Run.shell("cd '\(dir.url.path)' && zip -q -r -X backup.zip backup")
            try #require(r.exitCode == 0, "zip: \(r.stderr)")
            evidence = dir.path("backup.zip")
        }
        let db = dir.path("case.sqlite")
        let label = URL(fileURLWithPath: evidence).lastPathComponent
        let r = try Fixture.ingest([evidence], db: db, extra: ["--password", "\(label)=\(password)"] + extra)
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        #expect(!r.stderr.contains(password) && !r.stdout.contains(password))
        return (db, r.stderr, dir)
    }

    @Test func aKeybagDeclaringBillionsOfRoundsIsRefusedAsDamagedAtOnce() throws {
        let start = Date()
        let (db, stderr, dir) = try Self.ingest(["--huge-rounds"], "ios-enc-rounds")
        defer { dir.remove() }
        #expect(Date().timeIntervalSince(start) < 60, "no PBKDF2 with the declared count")
        #expect(stderr.contains("damaged keybag: round counts out of range (ITER 100, DPIC 4000000000)"), "\(stderr)")
        let files = try Self.storedFiles(db)
        try #require(!files.isEmpty)
        #expect(files.count == 9 && files.allSatisfy { $0.contains(" | - | -") }, "\(files)")
        let facts = try Fixture.open(db).read { try String.fetchOne($0, sql: "SELECT facts FROM device_layouts") } ?? ""
        #expect(facts.contains("\"password_outcome\":\"damaged\""), "\(facts)")
    }

    @Test func aStoredFileCutShortKeepsItsRowAndSaysWhyTheOthersDecrypt() throws {
        let (db, _, dir) = try Self.ingest(["--damage-file"], "ios-enc-cut")
        defer { dir.remove() }
        let files = try Self.storedFiles(db)
        try #require(!files.isEmpty)
        #expect(files.filter { $0.contains("/private/var/mobile/") }.count == 4, "\(files)")
        let errors = try Fixture.open(db).read { c in
            try String.fetchAll(c, sql: "SELECT code || ': ' || message FROM analysis_errors WHERE analyzer_id = 'intake'")
        }
        #expect(errors == ["backup-not-decrypted: encrypted backup file /private/var/mobile/Containers/Data/Application/ph.telegra.Telegraph/Documents/notes.txt not decrypted: its bytes do not decrypt with its key (not whole AES blocks, or bad padding); its stored (encrypted) bytes are kept"])
    }

    @Test func aManifestThatDoesNotDecryptLeavesTheStoredFilesAsTheyAre() throws {
        let (db, stderr, dir) = try Self.ingest(["--damage-manifest"], "ios-enc-manifest")
        defer { dir.remove() }
        #expect(stderr.contains("Manifest.db is missing or does not decrypt with its key"), "\(stderr)")
        let files = try Self.storedFiles(db)
        try #require(!files.isEmpty)
        #expect(files.count == 9 && files.allSatisfy { $0.contains(" | - | -") }, "\(files)")
    }

    @Test func aZippedBackupDecryptsLikeTheFolderAlsoWithoutAnalyzers() throws {
        let (db, _, dir) = try Self.ingest([], extra: ["--no-analyzers"], zip: true, "ios-enc-zip")
        defer { dir.remove() }
        let rows = try Fixture.open(db).read { c in
            try Row.fetchAll(c, sql: "SELECT path, device_path, sha256 FROM files WHERE device_path IS NOT NULL ORDER BY device_path")
                .map { [$0[0] as String, $0[1] as String, $0[2] as String] }
        }
        try #require(!rows.isEmpty)
        #expect(rows.map { $0[1] } == [
            "/private/var/mobile/Containers/Data/Application/ph.telegra.Telegraph/Documents/notes.txt",
            "/private/var/mobile/Containers/Shared/AppGroup/group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite",
            "/private/var/mobile/Containers/Shared/AppGroup/group.net.whatsapp.WhatsApp.shared/Message/Media/821012345678@s.whatsapp.net/a/b/IMG_0001.jpg",
            "/private/var/mobile/Library/SMS/sms.db",
            "/private/var/mobile/Media/DCIM/100APPLE/IMG_0002.JPG",
        ])
        #expect(rows.allSatisfy { $0[0].hasPrefix("backup.zip!/backup/") && $0[0].hasSuffix("!/decrypted") }, "\(rows)")
        // The decrypted note is the generator's plaintext.
        let plain = try Run.shell("printf 'telegram app container file\\n' | sha256sum | cut -d' ' -f1").stdout
        #expect(rows[0][2] == plain.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func aWorkerCrashOnADecryptedFileResumesWithoutDuplicates() throws {
        // The test bed's analyzer crashes the worker the first time it sees the decrypted note;
        // the supervisor restarts it, the run resumes inside the backup: the stored file (its row
        // commits after its child's) is read and decrypted again, and every file is there once.
        let dir = try TestDirectory("ios-enc-crash")
        defer { dir.remove() }
        let enc = dir.path("backup")
        try IOSEncryptedBackupTests.make(enc, ["--encrypted", Self.password, "--crash-once"])
        let state = dir.path("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([enc], db: db, binary: Fixture.testbed, extra: ["--jobs", "1", "--password", "backup=\(Self.password)"],
                                   environment: ["EXHIBIT_TESTBED_STATE": state])
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: state).count == 1, "the analyzer crashed once")
        #expect(!r.stderr.contains(Self.password) && !r.stdout.contains(Self.password))
        let q = try Fixture.open(db)
        let children = try q.read { c in
            try String.fetchAll(c, sql: "SELECT device_path FROM files WHERE path LIKE '%!/decrypted' ORDER BY device_path")
        }
        #expect(children.count == 6 && Set(children).count == 6, "\(children)")
        #expect(children.contains("/private/var/mobile/Library/Notes/crash.txt"))
        let stored = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files WHERE kind = 'file' AND depth = 0") }
        #expect(stored == 10)
        let lines = try q.read { c in
            try Int.fetchOne(c, sql: """
                SELECT count(*) FROM artifacts a JOIN files f ON f.id = a.file_id
                WHERE a.type = 'testbed.lines' AND f.device_path = '/private/var/mobile/Library/Notes/crash.txt'
                """)
        }
        #expect(lines == 1, "the decrypted note was analysed once it no longer crashed")
    }
}

/// The manifest of an encrypted backup against what the folder holds (issue 12, bad input): a
/// file `Manifest.db` names that the folder lacks and a stored file it does not name are each
/// said by name (the stored name from the evidence's top: `backup/` in the zip), folder or zip alike; a file of a domain with no known device folder is still
/// decrypted (its child has no device path); the evidence is unchanged.
@Suite("iOS backups: encrypted manifest coverage")
struct IOSEncryptedBackupCoverageTests {
    @Test(arguments: [false, true])
    func missingAndUnnamedFilesAreSaidAndUnknownDomainsStillDecrypt(zip: Bool) throws {
        let (db, stderr, dir) = try IOSEncryptedBackupBadInputTests.ingest(["--hostile"], zip: zip, "ios-enc-cover")
        defer { dir.remove() }
        let missing = "Manifest.db names 1 file(s) the backup folder does not hold: /private/var/mobile/Library/missing.db"
        let unnamed = "1 stored file(s) are not named by Manifest.db, so they have no key and stay encrypted: \(zip ? "backup/" : "")00/00\(String(repeating: "1", count: 38))"
        let facts = try Fixture.open(db).read { try String.fetchOne($0, sql: "SELECT facts FROM device_layouts WHERE kind = 'itunes-backup'") } ?? ""
        #expect(facts.contains(missing), "\(facts)")
        #expect(facts.contains(unnamed), "\(facts)")
        #expect(facts.contains("names domains with no known device folder: UnknownVendorDomain; their files keep no device path (they are still decrypted)"), "\(facts)")
        #expect(stderr.contains(missing) && stderr.contains(unnamed), "\(stderr)")
        // Status.plist and Manifest.plist facts, each date an instant with basis utc.
        for fact in [#""status_date_utc":"2024-08-30T04:00:00Z""#, #""status_date_basis":"utc""#, #""full_backup":false"#,
                     #""backup_state":"new""#, #""manifest_date_utc":"2024-08-30T04:00:00Z""#] {
            #expect(facts.contains(fact), "\(fact) in \(facts)")
        }
        // The unknown domain's file: decrypted to its own bytes, without a device path.
        let children = try Fixture.open(db).read { c in
            try Row.fetchAll(c, sql: """
                SELECT k.device_path, k.sha256 FROM files k JOIN files p ON p.entry_key = k.parent_key AND p.evidence_id = k.evidence_id
                WHERE k.name = 'decrypted' AND k.device_path IS NULL
                """).map { ($0[0] as String?, $0[1] as String) }
        }
        try #require(children.count == 1, "\(children)")
        #expect(children[0].1 == "a925c3669794a5adc3fa33905248f4ecac29749b54cfe774dcb62d0afb3c41ff", "SHA-256 of the 14 bytes 'unknown domain'")
        let decrypted = try Fixture.open(db).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files WHERE name = 'decrypted'") }
        #expect(decrypted == 6, "five known files and the unknown domain's one")
    }
}

/// An encrypted backup whose `Manifest.plist` is gone: `Manifest.db` is whole AES blocks with no
/// SQLite header, which is said as such (not as a damaged database); nothing can be decrypted, the
/// item is `encrypted`, the given password is recorded as `damaged`, every stored file is kept.
@Suite("iOS backups: an encrypted Manifest.db without its Manifest.plist")
struct IOSEncryptedManifestWithoutPlistTests {
    @Test func itIsSaidAsEncryptedAndEveryStoredFileIsKept() throws {
        let dir = try TestDirectory("ios-enc-noplist")
        defer { dir.remove() }
        let enc = dir.path("backup")
        try IOSEncryptedBackupTests.make(enc, ["--encrypted", IOSEncryptedBackupTests.password])
        try FileManager.default.removeItem(atPath: enc + "/Manifest.plist")
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([enc], db: db, extra: ["--password", "backup=\(IOSEncryptedBackupTests.password)"])
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        let said = "Manifest.db has no SQLite header and is whole AES blocks: most likely an encrypted backup whose Manifest.plist (with its keybag and ManifestKey) is missing"
        #expect(r.stderr.contains(said), "\(r.stderr)")
        #expect(!r.stderr.contains("not an encrypted iTunes/Finder backup"), "\(r.stderr)")
        let q = try Fixture.open(db)
        let item = try q.read { try Row.fetchOne($0, sql: "SELECT status, message FROM evidence") }
        #expect(item?["status"] as String? == "encrypted")
        #expect((item?["message"] as String?)?.hasPrefix(said) == true)
        let files = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files WHERE kind = 'file'") }
        #expect(files == 8, "every stored file and the plists are inventoried")
        let audit = try q.read { try String.fetchAll($0, sql: "SELECT details FROM audit_log WHERE action = 'evidence.password'") }
        #expect(audit == [#"{"label":"backup","outcome":"damaged","password_given":true}"#], "\(audit)")
    }
}
