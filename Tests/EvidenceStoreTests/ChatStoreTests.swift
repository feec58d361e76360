import ExhibitKit
import ExhibitTesting
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// The chat tables on real SQLite files: commit, redo, search paths (trigram, bigram, scan),
/// NFC comparison, attachment linking, copies, zone recomputation and the digest.
/// Tagged `.timeZone`: `make test` re-runs it under TZ=UTC and Asia/Seoul.
@Suite("Chat store (Time)", .tags(.timeZone))
struct ChatStoreTimeTests {
    static let seoul = TimeZone(identifier: "Asia/Seoul")

    /// 사진 in NFD (conjoining jamo), as iOS and macOS hand it out.
    static let photoNFD = "\u{1109}\u{1161}\u{110C}\u{1175}\u{11AB}"

    static func export(_ key: String, path: String, chat: ChatInfo, messages: [MessageRecord]) -> FileOutcome {
        var findings: [Finding] = [.chat(chat)]
        var seen = Set<String>()
        for m in messages {
            if let s = m.senderName, seen.insert(s).inserted {
                findings.append(.participant(ParticipantInfo(chatKey: m.chatKey, displayName: s)))
            }
            findings.append(.message(m))
        }
        return FileOutcome(evidenceID: 1, record: StoreInputs.record(key, path: path),
                           findings: findings.map { ProducedFinding(analyzerID: "chat-export", analyzerVersion: "1.0.0", finding: $0) })
    }

    static func kakao(zone: TimeZone?) -> FileOutcome {
        let chat = ChatInfo(chatKey: "chat", platform: .kakaotalk, format: .kakaoTalkAndroid, title: "민지")
        let wall = NaiveDateTime(year: 2024, month: 8, day: 28, hour: 15, minute: 1)
        var sent = wall.resolve(in: zone, raw: "2024년 8월 28일 오후 3:01", precision: .minute)
        sent.localWallClock = "2024-08-28T15:01:00"
        return export("0", path: "kakao/KakaoTalkChats.txt", chat: chat, messages: [
            MessageRecord(chatKey: "chat", sequence: 0, senderName: "준호", sent: sent, text: photoNFD,
                          attachments: [AttachmentRef(reference: nil, resolvedPath: nil, kind: .photo,
                                                      missingReason: "KakaoTalk text exports name the media kind only")]),
            MessageRecord(chatKey: "chat", sequence: 1, senderName: "민지", sent: sent, text: "딥페이크 영상 얘기 들었어?"),
            MessageRecord(chatKey: "chat", sequence: 2, kind: .system, text: "민지님이 소라님을 초대했습니다."),
        ])
    }

    static func telegram(_ key: String, path: String, format: ChatExportFormat, id: String?) -> FileOutcome {
        let chat = ChatInfo(chatKey: "chat", platform: .telegram, format: format, nativeID: id, title: "Minji")
        let folder = "seized.zip!/Telegram Desktop/Export/"
        return export(key, path: path, chat: chat, messages: [
            MessageRecord(chatKey: "chat", sequence: 0, nativeID: "1", senderName: "Jun-ho", sent: .unixSeconds(1_724_825_523),
                          text: "", attachments: [
                              AttachmentRef(reference: "photos/\(photoNFD).jpg", resolvedPath: folder + "photos/\(photoNFD).jpg", kind: .photo),
                              AttachmentRef(reference: "files/gone.pdf", resolvedPath: folder + "files/gone.pdf", kind: .file),
                              AttachmentRef(reference: nil, resolvedPath: nil, kind: .video,
                                            missingReason: "(File not included. Change data exporting settings to download.)"),
                          ]),
        ])
    }

    @Test func commitsSearchesAndReplacesOnRedo() throws {
        let dir = try TempDir()
        let (db, _) = try StoreInputs.database(in: dir, zone: "Asia/Seoul")
        try db.commit([Self.kakao(zone: Self.seoul)])
        try db.commit([Self.kakao(zone: Self.seoul)]) // a redo: replaces, never duplicates
        let rows = try db.chatMessages()
        #expect(rows.map(\.sequence) == [0, 1, 2])
        #expect(rows.map(\.sender) == ["준호", "민지", nil])
        #expect(rows[0].sentUTC == "2024-08-28T06:01:00Z")
        #expect(rows[0].sentBasis == "assumed-zone")
        #expect(rows[0].attachments == [AttachmentSummary(kind: "photo", reference: nil, status: "missing",
                                                          missingReason: "KakaoTalk text exports name the media kind only")])

        let long = try db.searchChats("딥페이크")
        #expect(long.path == "trigram")
        #expect(long.hits.map(\.message.sequence) == [1])
        #expect(long.hits.first?.snippet == "[딥페이크] 영상 얘기 들었어?")
        // Typed in NFC on a PC, stored NFD by the phone: found through the bigram index.
        let short = try db.searchChats("사진")
        #expect(short.path == "bigram")
        #expect(short.hits.map(\.message.sequence) == [0])
        let one = try db.searchChats("소")
        #expect(one.path == "scan")
        #expect(one.hits.map(\.message.sequence) == [2])
        #expect(try db.searchChats("준호").hits.map(\.message.sequence) == [0])   // sender names too
        #expect(try db.searchChats("민지").hits.count == 3)                       // chat title: every message
        #expect(try db.searchChats("\"); DROP TABLE messages; --").hits.isEmpty)
        // A NUL ends an FTS5 phrase early ("unterminated string"): found by exhibit serve's fuzzing.
        #expect(try db.searchChats("딥페\u{0}이크").hits.map(\.message.sequence) == [1])
        #expect(try db.searchChats("\u{0}\u{0}\u{0}").hits.isEmpty)
        try db.queue.read { (c: Database) throws in
            #expect(try Int.fetchOne(c, sql: "SELECT count(*) FROM messages") == 3)
            #expect(try Int.fetchOne(c, sql: "SELECT count(*) FROM participants") == 2)
            #expect(try String.fetchOne(c, sql: "SELECT text_nfc FROM messages WHERE sequence = 0") == "사진")
            #expect(try Int.fetchOne(c, sql: "SELECT count(*) FROM chat_fts WHERE chat_fts MATCH '\"딥페이크\"'") == 1)
            #expect(try String.fetchAll(c, sql: "PRAGMA integrity_check") == ["ok"])
        }
        // FTS5's own check: the trigram index agrees with its content view after the redo.
        try db.queue.write { c in try c.execute(sql: "INSERT INTO chat_fts(chat_fts) VALUES ('integrity-check')") }
    }

    @Test func linksAttachmentsInNFCAndMarksCopies() throws {
        let dir = try TempDir()
        let (db, _) = try StoreInputs.database(in: dir)
        let json = Self.telegram("0", path: "Telegram Desktop/Export/result.json", format: .telegramJSON, id: "555")
        let html = Self.telegram("1", path: "Telegram Desktop/Export/messages.html", format: .telegramHTML, id: nil)
        // The photo's name in the archive is NFC; the export references it in NFD.
        let photo = FileOutcome(evidenceID: 1, record: StoreInputs.record("2", path: "Telegram Desktop/Export/photos/사진.jpg",
                                                                      mime: "image/jpeg"))
        try db.commit([html, json, photo])
        let first = try db.linkChatFindings()
        #expect(first == ChatLinkSummary(resolved: 2, missing: 2, copies: 1))
        let again = try db.linkChatFindings()
        #expect(again == ChatLinkSummary(resolved: 0, missing: 0, copies: 1)) // idempotent
        let rows = try db.chatMessages(MessageFilter(includeCopies: true))
        #expect(rows.count == 2)
        #expect(Set(rows.map(\.roomID)).count == 1)
        let attachments = try #require(rows.first?.attachments)
        #expect(attachments.map(\.status) == ["resolved", "missing", "missing"])
        #expect(attachments[0].sha256 == StoreInputs.hashes("Telegram Desktop/Export/photos/사진.jpg").sha256)
        #expect(attachments[0].path == "seized.zip!/Telegram Desktop/Export/photos/사진.jpg")
        #expect(attachments[1].missingReason == "file not found in evidence")
        #expect(attachments[2].missingReason == "(File not included. Change data exporting settings to download.)")
        // Without --copies only the JSON (the export with its own id) is shown.
        let originals = try db.chatMessages()
        #expect(originals.map(\.exportPath) == ["seized.zip!/Telegram Desktop/Export/result.json"])
        try db.queue.read { (c: Database) throws in
            #expect(try Int.fetchOne(c, sql: "SELECT count(DISTINCT room_id) FROM chat_messages") == 1)
            #expect(try String.fetchOne(c, sql: "SELECT room_key FROM chats WHERE format = 'telegram-html'") == "seized.zip|telegram|id:555")
        }
        // Re-committing the JSON (a redo) keeps the HTML linked once the links are rebuilt.
        try db.commit([json])
        _ = try db.linkChatFindings()
        #expect(try db.chatMessages().count == 1)
        #expect(try db.searchChats("Jun", includeCopies: true).hits.count == 2)
    }

    @Test func zoneChangeRecomputesMessageTimes() throws {
        let dir = try TempDir()
        let (db, _) = try StoreInputs.database(in: dir, zone: "Asia/Seoul")
        try db.commit([Self.kakao(zone: Self.seoul)])
        #expect(try db.recomputeAssumedZone(TimeZone(identifier: "UTC")) == 2)
        #expect(try db.chatMessages().first?.sentUTC == "2024-08-28T15:01:00Z")
        try db.recomputeAssumedZone(nil)
        let first = try #require(try db.chatMessages().first)
        #expect(first.sentUTC == nil)
        #expect(first.sentBasis == "unknown")
        #expect(first.sentRaw == "2024년 8월 28일 오후 3:01")
    }

    @Test func digestIsCanonicalAndIgnoresEmptyChatTables() throws {
        let dir = try TempDir()
        let (a, _) = try StoreInputs.database(in: dir, name: "a.sqlite")
        let (b, _) = try StoreInputs.database(in: dir, name: "b.sqlite")
        let plain = FileOutcome(evidenceID: 1, record: StoreInputs.record("5", path: "x.txt"))
        try a.commit([plain]); try b.commit([plain])
        let before = try a.digest()
        let json = Self.telegram("0", path: "Telegram Desktop/Export/result.json", format: .telegramJSON, id: "555")
        let kakao = Self.kakao(zone: Self.seoul)
        try a.commit([json, kakao]); _ = try a.linkChatFindings()
        try b.commit([kakao]); try b.commit([json]); try b.commit([kakao]); _ = try b.linkChatFindings()
        #expect(try a.digest() == b.digest())
        #expect(try a.digest() != before)
    }

    @Test func bigramsCoverWordCharactersOnly() {
        #expect(SearchText.bigrams(["사진 보내줘!", "A"]) == "사진 보내 내줘 a")
        #expect(SearchText.path(for: "사진") == .bigram)
        #expect(SearchText.path(for: "a!") == .scan)
        #expect(SearchText.path(for: "영상 ") == .trigram)
        #expect(SearchText.nfc(Self.photoNFD) == "사진")
    }
}
