import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Encrypted iTunes/Finder backups (issue 12): with `--password` each stored file becomes the
/// container of its decrypted content, which gets the manifest's device path and its own hashes —
/// the same as the plain backup of the same content; without it the backup is listed as
/// encrypted with a message naming `--password-file`; a wrong password is recorded and nothing is
/// decrypted, the stored files are still hashed; the password is never stored, logged or printed.
@Suite("iOS backups: encrypted, with and without the password")
struct IOSEncryptedBackupTests {
    static let maker = Corpus.url("phone/ios/make_backup.py").path
    static let password = "Corr3ct-Horse=Battery"

    static func make(_ path: String, _ args: [String]) throws {
        let r = try Run.command("/usr/bin/env", ["python3", maker, path] + args)
        try #require(r.exitCode == 0, "make_backup: \(r.stderr)")
    }

    /// device_path → (path, sha256) of every file that has a device path.
    static func byDevicePath(_ db: String) throws -> [String: (String, String)] {
        try Fixture.open(db).read { c in
            var out: [String: (String, String)] = [:]
            for row in try Row.fetchAll(c, sql: "SELECT path, device_path, sha256 FROM files WHERE device_path IS NOT NULL") {
                out[row[1] as String] = (row[0] as String, row[2] as String)
            }
            return out
        }
    }

    /// Every text value of every table (the password must be in none of them).
    static func allText(_ db: String) throws -> String {
        try Fixture.open(db).read { c in
            var text = ""
            // Virtual tables (full-text vocabularies) keep their rows in real shadow tables, read here.
            let tables = try String.fetchAll(c, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'")
            for t in tables {
                for row in try Row.fetchAll(c, sql: "SELECT * FROM \"\(t)\"") {
                    for (_, v) in row {
                        if case .string(let s) = v.storage { text += s + "\n" }
                        if case .blob(let b) = v.storage { text += String(decoding: b, as: UTF8.self) + "\n" }
                    }
                }
            }
            return text
        }
    }

    @Test func withThePasswordTheDecryptedFilesMatchThePlainBackup() throws {
        let dir = try TestDirectory("ios-enc")
        defer { dir.remove() }
        let plain = dir.path("plain/backup"), enc = dir.path("enc/backup")
        try Self.make(plain, [])
        try Self.make(enc, ["--encrypted", Self.password])
        let plainDB = dir.path("plain.sqlite"), encDB = dir.path("enc.sqlite")
        try #require(try Fixture.ingest([plain], db: plainDB).exitCode == 0)
        let r = try Fixture.ingest([enc], db: encDB, extra: ["--password", "\(enc)=\(Self.password)"])
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")

        let expected = try Self.byDevicePath(plainDB)
        let got = try Self.byDevicePath(encDB)
        try #require(!expected.isEmpty)
        #expect(expected.count == 5)
        #expect(Set(got.keys) == Set(expected.keys), "same device paths")
        for (device, (path, sha)) in expected {
            #expect(got[device]?.1 == sha, "decrypted \(device) hashes as the plain file")
            let storedName = String(path.split(separator: "/").suffix(2).joined(separator: "/"))
            #expect(got[device]?.0.hasSuffix(storedName + "!/decrypted") == true, "\(got[device]?.0 ?? "nil")")
        }
        // The stored files keep their own rows: encrypted bytes, no device path, containers of one child.
        let q = try Fixture.open(encDB)
        let parents = try q.read { c in
            try Row.fetchAll(c, sql: """
                SELECT p.path, p.device_path, p.container_format, p.sha256, count(k.entry_key) FROM files p
                JOIN files k ON k.parent_key = p.entry_key AND k.evidence_id = p.evidence_id
                WHERE p.is_container = 1 GROUP BY p.entry_key ORDER BY p.path
                """).map { ($0[0] as String, $0[1] as String?, $0[2] as String?, $0[3] as String, $0[4] as Int) }
        }
        try #require(parents.count == 5)
        for p in parents {
            #expect(p.1 == nil && p.2 == "ios-backup-encrypted" && p.4 == 1, "\(p)")
            #expect(!expected.values.contains { $0.1 == p.3 }, "the stored bytes are the encrypted ones")
        }
        let facts = try q.read { try String.fetchOne($0, sql: "SELECT facts FROM device_layouts") } ?? ""
        #expect(facts.contains("\"encrypted\":true") && facts.contains("\"decrypted\":true"))
        #expect(try q.read { try String.fetchOne($0, sql: "SELECT status FROM evidence") } == "ok")
        // The synthetic children do not disturb verification: the folder re-hashes as recorded.
        let verify = try Run.command(Fixture.exhibit, ["verify", "--db", encDB])
        #expect(verify.exitCode == 0 && verify.stdout.contains("verified"), "\(verify.stdout)\(verify.stderr)")

        // The password is nowhere: not in any table, not in stdout/stderr; the run says [redacted].
        #expect(!(try Self.allText(encDB)).contains(Self.password))
        #expect(!r.stdout.contains(Self.password) && !r.stderr.contains(Self.password))
        let command = try q.read { try String.fetchOne($0, sql: "SELECT command_line FROM ingest_runs") } ?? ""
        #expect(command.contains("=[redacted]"), "\(command)")
        let audit = try q.read { try String.fetchAll($0, sql: "SELECT action FROM audit_log") }
        #expect(audit.contains("evidence.password"))
    }

    @Test func withoutThePasswordItIsListedAsEncryptedWithHowToGiveIt() throws {
        let dir = try TestDirectory("ios-enc-nopw")
        defer { dir.remove() }
        let enc = dir.path("backup")
        try Self.make(enc, ["--encrypted", Self.password])
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([enc], db: db)
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        #expect(r.stderr.contains("--password-file backup=FILE") && r.stderr.contains("--password backup=PASSWORD"), "\(r.stderr)")
        #expect(try Self.byDevicePath(db).isEmpty)
        let q = try Fixture.open(db)
        let facts = try q.read { try String.fetchOne($0, sql: "SELECT facts FROM device_layouts") } ?? ""
        #expect(facts.contains("\"encrypted\":true") && facts.contains("--password"))
        let files = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files WHERE kind = 'file'") }
        #expect(files == 9, "every stored file is inventoried as stored")
        let item = try q.read { try Row.fetchOne($0, sql: "SELECT status, message FROM evidence") }
        #expect(item?["status"] as String? == "encrypted")
        #expect((item?["message"] as String?)?.hasPrefix("encrypted iTunes/Finder backup and no password given") == true)
    }

    /// A wrong password says so and writes nothing for the item but its custody hashes (exit 3):
    /// it is not walked and stays unfinished, so the same ingest with the right password reads it
    /// into the same case.
    @Test func aWrongPasswordWritesNothingAndTheRightOneThenReadsItIntoTheSameCase() throws {
        let dir = try TestDirectory("ios-enc-wrong")
        defer { dir.remove() }
        let enc = dir.path("backup")
        try Self.make(enc, ["--encrypted", Self.password])
        let before = try Fixture.sha256(of: enc + "/Manifest.db")
        let db = dir.path("case.sqlite")
        let wrong = "not-the-password"
        let r = try Fixture.ingest([enc], db: db, extra: ["--password", "backup=\(wrong)"])
        #expect(r.exitCode == 3, "\(r.stderr)")
        #expect(r.stderr.contains("exhibit: backup: wrong password: the password given for backup does not unlock the backup's keybag; nothing was read from it or written for it"), "\(r.stderr)")
        #expect(!r.stderr.contains(wrong) && !r.stdout.contains(wrong))
        let q = try Fixture.open(db)
        let rows = try q.read { c in
            [try Int.fetchOne(c, sql: "SELECT count(*) FROM files") ?? -1,
             try Int.fetchOne(c, sql: "SELECT count(*) FROM device_layouts") ?? -1,
             try Int.fetchOne(c, sql: "SELECT count(*) FROM analysis_errors") ?? -1]
        }
        #expect(rows == [0, 0, 0], "nothing of the item is written: \(rows)")
        let item = try q.read { try Row.fetchOne($0, sql: "SELECT status, complete FROM evidence") }
        #expect(item?["status"] as String? == nil && item?["complete"] as Int? == 0, "the item stays unfinished")
        let audit = try q.read { try String.fetchAll($0, sql: "SELECT action || ' ' || details FROM audit_log WHERE action IN ('evidence.password', 'evidence.rejected') ORDER BY seq") }
        #expect(audit == [#"evidence.password {"label":"backup","outcome":"wrong-password","password_given":true}"#,
                          #"evidence.rejected {"label":"backup","reason":"wrong password for the encrypted iTunes/Finder backup"}"#], "\(audit)")
        #expect(!(try Self.allText(db)).contains(wrong))
        // `exhibit verify` says the item was refused (not interrupted) and what it needs.
        let v = try Run.command(Fixture.exhibit, ["verify", "--db", db])
        #expect(v.exitCode == 7, "\(v.stdout)\(v.stderr)")
        #expect((v.stdout + v.stderr).contains("incomplete: evidence backup was refused, not read (wrong password for the encrypted iTunes/Finder backup): ingest it again with what it needs (the right --password-file / --password)"), "\(v.stdout)\(v.stderr)")
        #expect(!(v.stdout + v.stderr).contains("re-run the same command"))

        // The right password, same case: the item is read (resumed) and completes.
        let again = try Fixture.ingest([enc], db: db, extra: ["--password", "backup=\(Self.password)"])
        try #require(again.exitCode == 0, "\(again.stderr)")
        #expect(try Self.byDevicePath(db).count == 5)
        let done = try Fixture.open(db).read { try Row.fetchOne($0, sql: "SELECT status FROM evidence") }
        #expect(done?["status"] as String? == "ok")
        #expect(try Fixture.sha256(of: enc + "/Manifest.db") == before, "the evidence is unchanged")
    }

    @Test func aDamagedKeybagIsSaidAndTheStoredFilesAreKept() throws {
        let dir = try TestDirectory("ios-enc-bag")
        defer { dir.remove() }
        let enc = dir.path("backup")
        try Self.make(enc, ["--encrypted", Self.password, "--damage-keybag"])
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([enc], db: db, extra: ["--password", "backup=\(Self.password)"])
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        #expect(r.stderr.contains("damaged keybag"))
        let files = try Fixture.open(db).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files WHERE kind = 'file'") }
        #expect(files == 9)
    }

    @Test func aFileWithoutItsKeyIsKeptWithAWarning() throws {
        let dir = try TestDirectory("ios-enc-key")
        defer { dir.remove() }
        let enc = dir.path("backup")
        try Self.make(enc, ["--encrypted", Self.password, "--drop-key"])
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([enc], db: db, extra: ["--password", "backup=\(Self.password)"])
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        let paths = try Self.byDevicePath(db)
        #expect(paths.count == 4 && paths["/private/var/mobile/Media/DCIM/100APPLE/IMG_0002.JPG"] == nil)
        let errors = try Fixture.open(db).read { c in
            try Row.fetchAll(c, sql: "SELECT analyzer_id, status, code, message FROM analysis_errors WHERE analyzer_id = 'intake'").map {
                [$0[0] as String, $0[1] as String, $0[2] as String, $0[3] as String]
            }
        }
        #expect(errors == [["intake", "warning", "backup-not-decrypted",
                            "encrypted backup file /private/var/mobile/Media/DCIM/100APPLE/IMG_0002.JPG not decrypted: its file property list has no EncryptionKey; its stored (encrypted) bytes are kept"]])
    }

    @Test func aPasswordFileMustBeTheOwnersOnly() throws {
        let dir = try TestDirectory("ios-enc-file")
        defer { dir.remove() }
        let enc = dir.path("backup")
        try Self.make(enc, ["--encrypted", Self.password])
        let pw = dir.path("pw.txt")
        try Data((Self.password + "\n").utf8).write(to: URL(fileURLWithPath: pw))
        _ = chmod(pw, 0o644)
        let open = try Fixture.ingest([enc], db: dir.path("a.sqlite"), extra: ["--password-file", "backup=\(pw)"])
        #expect(open.exitCode != 0 && open.stderr.contains("0600"), "\(open.stderr)")
        _ = chmod(pw, 0o600)
        let db = dir.path("b.sqlite")
        let r = try Fixture.ingest([enc], db: db, extra: ["--password-file", "backup=\(pw)"])
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        #expect(try Self.byDevicePath(db).count == 5)
        #expect(!(try Self.allText(db)).contains(Self.password))
    }

    @Test func aPasswordForAPlainBackupIsNotUsedAndSaidSo() throws {
        let dir = try TestDirectory("ios-enc-plain")
        defer { dir.remove() }
        let plain = dir.path("backup")
        try Self.make(plain, [])
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([plain], db: db, extra: ["--password", "backup=\(Self.password)"])
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        #expect(r.stderr.contains("exhibit: backup: a password was given, but this is not an encrypted iTunes/Finder backup; the password is not used"))
        #expect(!r.stderr.contains(Self.password) && !r.stdout.contains(Self.password))
        #expect(try Self.byDevicePath(db).count == 5)
        let audit = try Fixture.open(db).read { try String.fetchAll($0, sql: "SELECT details FROM audit_log WHERE action = 'evidence.password'") }
        #expect(audit == ["{\"label\":\"backup\",\"outcome\":\"not-encrypted\",\"password_given\":true}"])
        #expect(!(try Self.allText(db)).contains(Self.password))
    }
}
