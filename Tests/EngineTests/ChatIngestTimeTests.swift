import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Issue 3's "done when", end to end with the real binary: one zip (made by Info-ZIP `zip` at
/// test time) holding a Telegram JSON export, the same chat as HTML (two pages), a WhatsApp
/// Android export, a WhatsApp iOS export zip (nested), a KakaoTalk Android ko export and a
/// KakaoTalk PC export, with some of their media. Every message must land in `chat_messages`
/// as the golden files in corpora/chat say. "Time" in the name: re-run under several TZ values.
@Suite("Chat exports through exhibit ingest (Time)", .serialized)
struct ChatIngestTimeTests {
    static let telegram = "Telegram Desktop/ChatExport_2024-08-30"
    /// Golden fixture → path inside case.zip (the goldens' virtual paths use the label case.zip).
    static let exports: [(fixture: String, inner: String)] = [
        ("telegram/pair/result.json", "\(telegram)/result.json"),
        ("telegram/pair/messages.html", "\(telegram)/messages.html"),
        ("telegram/pair/messages2.html", "\(telegram)/messages2.html"),
        ("whatsapp/android-en-US/WhatsApp Chat with Minji.txt", "whatsapp/android-en-US/WhatsApp Chat with Minji.txt"),
        ("whatsapp/ios-en/_chat.txt", "WhatsApp Chat - Minji.zip!/_chat.txt"),
        ("kakaotalk/android-ko/KakaoTalkChats.txt", "kakaotalk/android-ko/KakaoTalkChats.txt"),
        ("kakaotalk/windows-ko/KakaoTalkChats.txt", "kakaotalk/windows-ko/KakaoTalkChats.txt"),
    ]
    /// Media present in the zip; `files/contract.pdf` is referenced by the Telegram export but left out.
    static let media = ["\(telegram)/photos/photo_1@28-08-2024_15-12-03.jpg",
                        "\(telegram)/voice_messages/audio_1@30-08-2024_21-00-00.ogg", "\(telegram)/stickers/sticker.webp",
                        "\(telegram)/video_files/giphy.mp4", "whatsapp/android-en-US/IMG-20240828-WA0001.jpg"]
    static let iosPhoto = "00000003-PHOTO-2024-08-28-15-07-00.jpg"

    /// Builds case.zip; returns its path.
    static func buildZip(_ dir: TestDirectory) throws -> String {
        let src = dir.path("src")
        var script = "set -e; mkdir -p '\(src)/ios'; cd '\(src)';"
        for (fixture, inner) in exports where !inner.contains("!/") {
            script += "mkdir -p \"$(dirname '\(inner)')\"; cp '\(Corpus.url("chat/" + fixture).path)' '\(inner)';"
        }
        for (i, m) in media.enumerated() {
            script += "mkdir -p \"$(dirname '\(m)')\"; head -c \(1000 + i) /dev/urandom > '\(m)';"
        }
        script += "cp '\(Corpus.url("chat/whatsapp/ios-en/_chat.txt").path)' ios/_chat.txt; head -c 700 /dev/urandom > 'ios/\(iosPhoto)';"
        script += "(cd ios && zip -q '../WhatsApp Chat - Minji.zip' _chat.txt '\(iosPhoto)'); rm -r ios;"
        script += "zip -q -r '\(dir.path("case.zip"))' ."
        let r = try Run.shell(script)
        #expect(r.exitCode == 0, "fixture build failed: \(r.stderr)")
        return dir.path("case.zip")
    }

    struct Golden: Decodable {
        struct Attachment: Decodable { var reference: String?; var resolvedPath: String?; var missingReason: String? }
        struct Message: Decodable {
            var kind: String; var sender: String?; var sentUTC: String?; var sentBasis: String?; var text: String
            var attachments: [Attachment]
        }
        var virtualPath: String
        var messages: [Message]
    }

    static func golden(_ fixture: String) throws -> Golden {
        try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Corpus.url("chat/\(fixture).expected.json")))
    }

    @Test func everyMessageLandsInChatMessagesWithLinkedMedia() throws {
        let dir = try TestDirectory("chat-ingest")
        defer { dir.remove() }
        let zipPath = try Self.buildZip(dir)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([zipPath], db: db, extra: ["--assume-tz", "Asia/Seoul", "--jobs", "2"])
        #expect(r.exitCode == 0, "ingest failed: \(r.stderr)")
        let q = try Fixture.open(db)
        let hashes: [String: String] = try q.read { c in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(c, sql: "SELECT path, sha256 FROM files WHERE kind = 'file'").map {
                (try $0.decode(String.self, atIndex: 0), try $0.decode(String?.self, atIndex: 1) ?? "")
            })
        }
        for (fixture, _) in Self.exports {
            let g = try Self.golden(fixture)
            let rows = try q.read { c in
                try Row.fetchAll(c, sql: """
                    SELECT kind, sender, sent_utc, sent_basis, text, attachments, message_id FROM chat_messages
                    WHERE export_path = ? ORDER BY sequence
                    """, arguments: [g.virtualPath])
            }
            #expect(rows.count == g.messages.count, "\(fixture): message count")
            for (row, m) in zip(rows, g.messages) {
                #expect(try row.decode(String.self, atIndex: 0) == m.kind, "\(fixture): kind")
                #expect(try row.decode(String?.self, atIndex: 1) == m.sender, "\(fixture) sender")
                #expect(try row.decode(String?.self, atIndex: 2) == m.sentUTC, "\(fixture) time")
                #expect(try row.decode(String?.self, atIndex: 3) == m.sentBasis, "\(fixture) basis")
                #expect(try row.decode(String.self, atIndex: 4) == m.text, "\(fixture): text")
                #expect(try row.decode(Int.self, atIndex: 5) == m.attachments.count, "\(fixture) attachments")
                let stored = try q.read { c in
                    try Row.fetchAll(c, sql: "SELECT reference, status, missing_reason, sha256 FROM attachments WHERE message_id = ? ORDER BY ordinal",
                                     arguments: [try row.decode(Int64.self, atIndex: 6)])
                }
                for (a, ga) in zip(stored, m.attachments) {
                    #expect(try a.decode(String?.self, atIndex: 0) == ga.reference)
                    if let path = ga.resolvedPath, let sha = hashes[path] {
                        #expect(try a.decode(String.self, atIndex: 1) == "resolved", "\(path)")
                        #expect(try a.decode(String?.self, atIndex: 3) == sha, "\(path) hash")
                    } else {
                        #expect(try a.decode(String.self, atIndex: 1) == "missing")
                        let reason = ga.missingReason ?? (ga.resolvedPath == nil ? "not included in export" : "file not found in evidence")
                        #expect(try a.decode(String?.self, atIndex: 2) == reason, "\(ga.reference ?? "-")")
                    }
                }
            }
        }
        // Linked media from all formats, including inside the nested iOS zip; the left-out PDF is missing.
        let counts: (Int, Int, Int) = try q.read { c in
            (try Int.fetchOne(c, sql: "SELECT count(*) FROM attachments WHERE status = 'resolved'") ?? 0,
             try Int.fetchOne(c, sql: "SELECT count(*) FROM attachments WHERE missing_reason = 'file not found in evidence'") ?? 0,
             try Int.fetchOne(c, sql: "SELECT count(DISTINCT room_id) FROM chat_messages WHERE platform = 'telegram'") ?? 0)
        }
        #expect(counts.0 == 4 + 4 + 1 + 1) // Telegram JSON and HTML (over two pages): 4 media each; WhatsApp Android, iOS: 1 each
        #expect(counts.1 == 2)              // files/contract.pdf, referenced by JSON and HTML
        #expect(counts.2 == 1)              // JSON + 2 HTML pages: one room

        // Search, Korean substrings (trigram) and a two-syllable word (bigram).
        let deepfake = try Run.command(Fixture.exhibit, ["search", "--db", db, "딥페이크"])
        #expect(deepfake.exitCode == 0)
        let platforms = Set(deepfake.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
        #expect(platforms == ["telegram", "whatsapp", "kakaotalk"])
        #expect(deepfake.stdout.contains("[딥페이크]"))
        let photo = try Run.command(Fixture.exhibit, ["search", "--db", db, "사진", "--json"])
        #expect(photo.exitCode == 0)
        let json = try JSONSerialization.jsonObject(with: Data(photo.stdout.utf8)) as? [String: Any]
        #expect(json?["path"] as? String == "bigram")
        #expect(((json?["hits"] as? [Any])?.count ?? 0) >= 2)
        let none = try Run.command(Fixture.exhibit, ["search", "--db", db, "존재하지않는말"])
        #expect(none.exitCode == 5)

        // A readable thread, filtered by day (a date-only --to includes the day) and sender.
        let thread = try Run.command(Fixture.exhibit, ["messages", "--db", db, "--chat", "Minji", "--from", "2024-08-28",
                                                       "--to", "2024-08-28", "--sender", "Jun-ho"])
        #expect(thread.exitCode == 0)
        #expect(thread.stdout.contains("== telegram: Minji  [case.zip!/\(Self.telegram)/result.json]"))
        // Times in the case's zone with UTC beside them (issue 15, item 8); the day is Seoul's.
        #expect(thread.stdout.contains("2024-08-28 15:12:03 +09:00 (06:12:03Z)  Jun-ho:   [photo: photos/photo_1@28-08-2024_15-12-03.jpg sha256 \(hashes["case.zip!/\(Self.media[0])"] ?? "?")]"))
        #expect(!thread.stdout.contains("2024-08-29"))
        #expect(!thread.stdout.contains("messages.html"))  // the HTML copy is left out by default
        let bad = try Run.command(Fixture.exhibit, ["messages", "--db", db, "--from", "yesterday"])
        #expect(bad.exitCode == 2)

        // Resume of a complete item adds nothing.
        let before = try Fixture.digest(db)
        let total = try q.read { c in try Int.fetchOne(c, sql: "SELECT count(*) FROM messages") }
        let again = try Fixture.ingest([zipPath], db: db, extra: ["--assume-tz", "Asia/Seoul"])
        #expect(again.exitCode == 0)
        #expect(try q.read { c in try Int.fetchOne(c, sql: "SELECT count(*) FROM messages") } == total)
        #expect(try Fixture.digest(db) == before)

        // Same evidence, other thread counts and machine zones: same digest.
        for (jobs, tz) in [("1", "UTC"), ("4", "America/New_York")] {
            let other = dir.path("case-\(jobs).sqlite")
            let o = try Fixture.ingest([zipPath], db: other, extra: ["--assume-tz", "Asia/Seoul", "--jobs", jobs], environment: ["TZ": tz])
            #expect(o.exitCode == 0)
            #expect(try Fixture.digest(other) == before, "digest with --jobs \(jobs) under TZ=\(tz)")
        }
    }

    /// Streaming (large files: findings stored one by one inside the file's commit) and the
    /// in-memory path must store exactly the same findings.
    @Test func streamingCommitStoresTheSameFindings() throws {
        let dir = try TestDirectory("chat-stream"); defer { dir.remove() }
        let zipPath = try Self.buildZip(dir)
        var digests: [String] = []
        for threshold in ["1000000000", "0"] {
            let db = dir.path("case-\(threshold).sqlite")
            let r = try Fixture.ingest([zipPath], db: db, extra: ["--assume-tz", "Asia/Seoul", "--stream-after", threshold])
            #expect(r.exitCode == 0, "\(r.stderr)")
            digests.append(try Fixture.digest(db))
            let messages = try Fixture.open(db).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM messages") } ?? 0
            #expect(messages > 50)
        }
        #expect(digests[0] == digests[1])
    }

    @Test func analyzersListsChatExport() throws {
        let r = try Run.command(Fixture.exhibit, ["analyzers"])
        #expect(r.exitCode == 0)
        #expect(r.stdout.contains("chat-export"))
    }
}
