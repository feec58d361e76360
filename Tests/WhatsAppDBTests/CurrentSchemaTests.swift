import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
import WhatsAppDB

/// The current-schema fixture (corpora/phone/whatsapp/current): every chat, participant and
/// message as a full record, the two rows that exist only in the -wal included.
@Suite struct CurrentSchemaTests {
    static let minji = "821055501234@s.whatsapp.net", junho = "821055509999@s.whatsapp.net"
    static let alex = "447700900123@s.whatsapp.net", group = "120363025551234567@g.us"
    static let t0: Int64 = 1_724_825_400_000  // 2024-08-28T06:10:00Z

    static func msg(_ chat: String, _ seq: Int, _ key: String, _ record: String, sender: (String?, String?) = (nil, nil),
                    owner: Bool = false, sent: Int64, text: String = "", kind: MessageKind = .message,
                    extra: [String: JSONValue]) -> MessageRecord {
        MessageRecord(chatKey: chat, sequence: seq, nativeID: key, kind: kind, senderName: sender.0, senderNativeID: sender.1,
                      fromDeviceOwner: owner, sent: ms(sent), text: text, extra: .object(extra),
                      location: SourceLocation(record: record))
    }

    static var expectedMessages: [MessageRecord] {
        let m = ("민지 Minji", minji), j = ("준호", junho), a = ("Alex M.", alex)
        var system = msg("chat1", 0, "3EB0C0FFEE0000000001", "message rowid 1", owner: true, sent: t0 - 3_600_000, kind: .system,
                         extra: ["message_type": .number(7), "status": .number(13)])
        system.service = ServiceAction(action: "system", details: .object(["action_type": .number(11)]))
        var photo = msg("chat0", 3, "3EB0A1B2C3D4E5F60003", "message rowid 4", sender: m, sent: t0 + 150_500, text: "콘서트 사진 🎤",
                        extra: ["message_type": .number(1), "status": .number(0)])
        photo.attachments = [AttachmentRef(
            reference: "Media/WhatsApp Images/IMG-20240828-WA0001.jpg", resolvedPath: nil, kind: .photo, mimeType: "image/jpeg",
            size: 48213, width: 320, height: 240,
            devicePaths: ["/data/media/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/IMG-20240828-WA0001.jpg",
                          "/data/media/0/WhatsApp/Media/WhatsApp Images/IMG-20240828-WA0001.jpg"])]
        var reply = msg("chat0", 4, "3EB0A1B2C3D4E5F60004", "message rowid 5", owner: true, sent: t0 + 180_000, text: "와 대박 Wow",
                        extra: ["message_type": .number(0), "status": .number(13), "quoted_text": .string("콘서트 사진 🎤")])
        reply.replyToNativeID = "3EB0A1B2C3D4E5F60003"
        var revoked = msg("chat0", 5, "3EB0A1B2C3D4E5F60005", "message rowid 6", sender: m, sent: t0 + 240_000,
                          extra: ["message_type": .number(15), "status": .number(0), "revoked_key_id": .string("3EB0DEADBEEF00000005"),
                                  "revoked_at": .object(["raw": .string("1724825650000"), "utc": .string("2024-08-28T06:14:10Z")])])
        revoked.deleted = true
        var edited = msg("chat0", 6, "3EB0A1B2C3D4E5F60006", "message rowid 7", owner: true, sent: t0 + 300_000,
                         text: "내일 7시에 만나 (see you at 7)", extra: ["message_type": .number(0), "status": .number(13)])
        edited.editedMarker = true
        edited.touched = ms(t0 + 400_000)
        let location: [String: JSONValue] = ["latitude": .number(37.5665), "longitude": .number(126.978),
                                             "place_name": .string("Seoul Olympic Park")]
        var call1 = msg("chat0", 13, "CALL-0001", "call_log rowid 1", sender: m, sent: t0 + 6 * 3_600_000, kind: .service, extra: [:])
        call1.extra = nil
        call1.service = ServiceAction(action: "phone_call", actorName: m.0, actorNativeID: m.1, details: .object([
            "duration_seconds": .number(65), "video": .bool(false), "call_result": .number(5), "bytes_transferred": .number(81234)]))
        var call2 = msg("chat1", 14, "CALL-0002", "call_log rowid 2", sender: j, sent: t0 + 7 * 3_600_000, kind: .service, extra: [:])
        call2.extra = nil
        call2.service = ServiceAction(action: "phone_call", actorName: j.0, actorNativeID: j.1, details: .object([
            "duration_seconds": .number(0), "video": .bool(true), "call_result": .number(2), "bytes_transferred": .number(0),
            "group": .string(group)]))
        return [
            system,
            msg("chat0", 1, "3EB0A1B2C3D4E5F60001", "message rowid 2", sender: m, sent: t0, text: "안녕 서연! 콘서트 사진 있어?",
                extra: ["message_type": .number(0), "status": .number(0)]),
            msg("chat0", 2, "3EB0A1B2C3D4E5F60002", "message rowid 3", owner: true, sent: t0 + 75_250, text: "응 잠깐만 Sure, one sec",
                extra: ["message_type": .number(0), "status": .number(13)]),
            photo, reply, revoked, edited,
            msg("chat1", 7, "3EB0B0B0B0B000000010", "message rowid 8", sender: j, sent: t0 + 600_000, text: "사진 다시 보내줘 pls",
                extra: ["message_type": .number(0), "status": .number(0)]),
            msg("chat1", 8, "3EB0B0B0B0B000000011", "message rowid 9", owner: true, sent: t0 + 660_000, text: "공연 8시 시작 (Show starts at 8)",
                extra: ["message_type": .number(0), "status": .number(13), "forwarded": .bool(true), "forward_score": .number(1)]),
            msg("chat1", 9, "3EB0B0B0B0B000000012", "message rowid 10", sender: a, sent: t0 + 720_000,
                extra: ["message_type": .number(5), "status": .number(0), "location": .object(location)]),
            msg("chat1", 10, "3EB0B0B0B0B000000013", "message rowid 11", sender: a, sent: t0 + 780_000, text: "Thanks! 👍",
                extra: ["message_type": .number(0), "status": .number(0)]),
            // The two newest rows exist only in msgstore.db-wal.
            msg("chat0", 11, "3EB0A1B2C3D4E5F60020", "message rowid 12", sender: m, sent: t0 + 19 * 3_600_000,
                text: "WAL에만 있는 메시지 (only in the WAL)", extra: ["message_type": .number(0), "status": .number(0)]),
            msg("chat1", 12, "3EB0B0B0B0B000000021", "message rowid 13", sender: j, sent: t0 + 19 * 3_600_000 + 300_000,
                text: "마지막 메시지 last one", extra: ["message_type": .number(0), "status": .number(0)]),
            call1, call2,
        ]
    }

    @Test func chatsParticipantsAndMessagesAreFullRecords() async throws {
        let dir = try TestDirectory("wa-current")
        defer { dir.remove() }
        let findings = try await WAFixture.run(try WAFixture.file("current", in: dir), in: dir)
        try #require(!findings.isEmpty)
        #expect(findings.chats == WAFixture.chats(table: "chat", created: ("created 2024-08-27T06:10:00Z (raw 1724739000000)",
                                                                         "created 2024-08-28T05:10:00Z (raw 1724821800000)")))
        #expect(findings.participants == WAFixture.participants)
        let got = findings.messages
        let want = Self.expectedMessages
        #expect(got.count == want.count)
        for (g, w) in zip(got, want) { #expect(g == w) }
        #expect(findings.warnings.isEmpty)
        // Order: artifacts of msgstore.db and wa.db first, then chats; a chat before its members and messages.
        guard case .artifact(let first) = findings[0], case .artifact(let second) = findings[1] else {
            Issue.record("the database artifacts must come first"); return
        }
        #expect(first.type == "sqlite.database" && second.type == "sqlite.database")
        #expect(first.properties.object?["wal_present"] == .bool(true))
        #expect(second.properties.object?["tables"] == .array([.string("sqlite_sequence"), .string("wa_contacts")]))
        let summary = try #require(findings.artifacts.first { $0.type == "whatsapp.msgstore" })
        #expect(summary.properties == .object([
            "schemas": .array([.string("current")]), "package": .string("com.whatsapp"), "owner": .string(WAFixture.owner),
            "messages_current": .number(13), "messages_legacy": .number(0), "calls": .number(2),
            "legacy_duplicates_skipped": .number(0), "contacts": .number(4)]))
    }

    @Test func withoutTheWALTheNewestRowsAreAbsent() async throws {
        let dir = try TestDirectory("wa-nowal")
        defer { dir.remove() }
        var file = try WAFixture.file("current", in: dir)
        // Drop the -wal companion (and its private copy): only what the main file holds.
        if let wal = file.companion(named: "msgstore.db-wal") { try FileManager.default.removeItem(at: wal.url) }
        file.companions.removeAll { $0.name == "msgstore.db-wal" }
        let findings = try await WAFixture.run(file, in: dir)
        let keys = findings.messages.compactMap(\.nativeID)
        try #require(!keys.isEmpty)
        #expect(!keys.contains("3EB0A1B2C3D4E5F60020") && !keys.contains("3EB0B0B0B0B000000021"))
        #expect(findings.messages.count == 13)
    }

    @Test func streamingAndArrayEntryPointsAgree() async throws {
        let dir = try TestDirectory("wa-stream")
        defer { dir.remove() }
        let array = try await WAFixture.run(try WAFixture.file("current", in: dir), in: dir)
        var streamed: [Finding] = []
        try WhatsAppDBAnalyzer().analyze(try WAFixture.file("current", in: dir),
                                         context: AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url),
                                         into: CallbackSink(finding: { streamed.append($0) }))
        try #require(!array.isEmpty)
        #expect(array.findings == streamed)
    }

    @Test func evidenceFilesAreUnchanged() async throws {
        let dir = try TestDirectory("wa-unchanged")
        defer { dir.remove() }
        let names = ["msgstore.db", "msgstore.db-wal", "wa.db"]
        func snapshot() throws -> [Data] { try names.map { try Data(contentsOf: Corpus.url("phone/whatsapp/current/\($0)")) } }
        let before = try snapshot()
        _ = try await WAFixture.run(try WAFixture.file("current", in: dir), in: dir)
        #expect(try snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: Corpus.url("phone/whatsapp/current/msgstore.db-shm").path))
    }
}

extension JSONValue {
    var object: [String: JSONValue]? { if case .object(let o) = self { return o } else { return nil } }
}
