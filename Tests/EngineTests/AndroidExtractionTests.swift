import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Issue 11, end to end: one synthetic Android full-file-system extraction (Telegram with WAL-only
/// rows, WhatsApp, KakaoTalk with encrypted columns; corpora/phone/android/make_android.py) through
/// one `exhibit ingest`: every app's messages with sender, text and a UTC time, attachments linked
/// to the files by SHA-256, device paths set, and the known-bad concert picture traced through
/// all three apps by `exhibit matches` and `exhibit spread`. The same phone under another vendor
/// prefix and as a plain folder gives the same device digest.
@Suite("Android extraction: app databases end to end")
struct AndroidExtractionTests {
    static let maker = Corpus.url("phone/android/make_android.py").path

    static func importKnownBad(_ db: String) throws {
        for (name, algorithm, file) in [("demo-known-pdq", "pdq", "pdq.txt"), ("demo-known-sha256", "sha256", "sha256.txt")] {
            let r = try Run.command(Fixture.exhibit, ["hashset", "import", "--db", db, "--name", name, "--kind", "known-bad",
                                                      "--algorithm", algorithm, Corpus.url("sample-case/known-bad/\(file)").path])
            try #require(r.exitCode == 0, "hashset import: \(r.stderr)")
        }
    }

    @Test func oneIngestReadsAllThreeAppsAndTracesTheKnownPicture() throws {
        let dir = try TestDirectory("android")
        defer { dir.remove() }
        let tar = dir.path("android-ffs.tar")
        let built = try Run.command("/usr/bin/env", ["python3", Self.maker, "--tar", tar, "Dump/"])
        try #require(built.exitCode == 0, "make_android: \(built.stderr)")
        let sha = try Fixture.sha256(of: tar)
        let db = dir.path("case.sqlite")
        try Self.importKnownBad(db)
        let r = try Fixture.ingest([tar], db: db, extra: ["--assume-tz", "Asia/Seoul"])
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        #expect(try Fixture.sha256(of: tar) == sha, "evidence unchanged")

        let q = try Fixture.open(db)
        for format in ["telegram-android-db", "whatsapp-android-db", "kakaotalk-android-db"] {
            let (messages, withSender, utc, badBasis) = try q.read { c in
                (try Int.fetchOne(c, sql: "SELECT count(*) FROM messages m JOIN chats ch ON ch.id = m.chat_id WHERE ch.format = ?", arguments: [format]) ?? 0,
                 try Int.fetchOne(c, sql: """
                    SELECT count(*) FROM messages m JOIN chats ch ON ch.id = m.chat_id
                    WHERE ch.format = ? AND m.kind = 'message' AND (m.sender_name IS NOT NULL OR m.sender_native_id IS NOT NULL OR m.from_device_owner = 1)
                    """, arguments: [format]) ?? 0,
                 try Int.fetchOne(c, sql: "SELECT count(*) FROM messages m JOIN chats ch ON ch.id = m.chat_id WHERE ch.format = ? AND m.sent_utc IS NOT NULL", arguments: [format]) ?? 0,
                 try Int.fetchOne(c, sql: "SELECT count(*) FROM messages m JOIN chats ch ON ch.id = m.chat_id WHERE ch.format = ? AND m.sent_utc IS NOT NULL AND m.sent_basis != 'utc'", arguments: [format]) ?? 0)
            }
            #expect(messages > 3, "\(format): messages read")
            #expect(withSender > 0, "\(format): senders")
            #expect(utc > 0 && badBasis == 0, "\(format): UTC times with basis utc")
            let owners = try q.read { try String.fetchAll($0, sql: "SELECT DISTINCT owner FROM chats WHERE format = ?", arguments: [format]) }
            #expect(!owners.isEmpty && owners.allSatisfy { $0.hasPrefix("/data/data/") }, "\(format): owner \(owners)")
        }
        // Every database reports whether its WAL was present and used.
        let walDBs = try q.read { try String.fetchAll($0, sql: """
            SELECT f.device_path FROM artifacts a JOIN files f ON f.id = a.file_id
            WHERE a.type = 'sqlite.database' AND json_extract(a.properties, '$.wal_present') = 1 ORDER BY 1
            """) }
        #expect(walDBs.contains("/data/data/org.telegram.messenger/files/cache4.db"))
        #expect(walDBs.contains("/data/data/com.whatsapp/databases/msgstore.db"))
        let noDevicePath = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files WHERE kind = 'file' AND device_path IS NULL") }
        #expect(noDevicePath == 0, "every file of the extraction has its device path")

        // The known-bad picture, traced through all three apps.
        let m = try Run.command(Fixture.exhibit, ["matches", "--db", db, "--json"])
        try #require(m.exitCode == 0, "matches: \(m.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(m.stdout.utf8)) as? [[String: Any]] ?? []
        let platforms = Set(rows.flatMap { ($0["messages"] as? [[String: Any]] ?? []).compactMap { $0["platform"] as? String } })
        #expect(platforms.isSuperset(of: ["telegram", "whatsapp", "kakaotalk"]), "matches carry messages of every app: \(platforms)")
        let s = try Run.command(Fixture.exhibit, ["spread", "--db", db, "--known", "--json"])
        try #require(s.exitCode == 0, "spread: \(s.stderr)")
        for platform in ["telegram", "whatsapp", "kakaotalk"] { #expect(s.stdout.contains("\"\(platform)\""), "spread names \(platform)") }

        // Same phone, another vendor prefix, and as a folder: the same device digest.
        var digests = [try Run.command(Fixture.exhibit, ["digest", "--device", "--db", db]).stdout]
        let tar2 = dir.path("other-vendor.tar")
        _ = try Run.command("/usr/bin/env", ["python3", Self.maker, "--tar", tar2, "extraction/userdata-fs/"])
        let tree = dir.path("tree/phone")
        _ = try Run.command("/usr/bin/env", ["python3", Self.maker, "--tree", tree])
        for (n, evidence) in [tar2, tree].enumerated() {
            let other = dir.path("case\(n).sqlite")
            let r2 = try Fixture.ingest([evidence], db: other, extra: ["--assume-tz", "Asia/Seoul"])
            try #require(r2.exitCode == 0, "ingest \(evidence): \(r2.stderr)")
            digests.append(try Run.command(Fixture.exhibit, ["digest", "--device", "--db", other]).stdout)
        }
        #expect(Set(digests).count == 1, "device digests: \(digests)")
    }
}
