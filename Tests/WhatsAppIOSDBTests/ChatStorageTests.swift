import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
import WhatsAppIOSDB

/// The ChatStorage.sqlite fixture (corpora/phone/whatsapp-ios/current): every chat, participant
/// and message as a full record, the two rows that exist only in the -wal included.
@Suite struct ChatStorageTests {
    static let minji = "821055501234@s.whatsapp.net", junho = "821055509999@s.whatsapp.net"
    static let alex = "447700900123@s.whatsapp.net", group = "120363025551234567@g.us"
    static let t0 = 746_518_200.0  // 2024-08-28T06:10:00Z
    static let photo = "Media/120363025551234567@g.us/5/0/50e1c6a2-3f4d-4b8e-9a71-c2d5e8f01234.jpg"

    static func msg(_ chat: String, _ seq: Int, _ stanza: String?, _ pk: Int, sender: (String, String)? = nil, owner: Bool = false,
                    sent: Double, text: String = "", extra: [String: JSONValue]) -> MessageRecord {
        MessageRecord(chatKey: chat, sequence: seq, nativeID: stanza, senderName: sender?.0, senderNativeID: sender?.1,
                      fromDeviceOwner: owner, sent: coreData(sent), text: text, extra: .object(extra),
                      location: SourceLocation(record: "ZWAMESSAGE Z_PK \(pk)"))
    }

    static func chats(owner: String) -> [ChatInfo] {
        [ChatInfo(chatKey: "chat0", platform: .whatsapp, format: .whatsAppIOSDB, nativeID: minji, title: "민지 Minji",
                  chatType: "private", location: SourceLocation(record: "ZWACHATSESSION rowid 1"), owner: owner),
         ChatInfo(chatKey: "chat1", platform: .whatsapp, format: .whatsAppIOSDB, nativeID: group,
                  title: "콘서트 친구들 (Concert friends)", chatType: "group", location: SourceLocation(record: "ZWACHATSESSION rowid 2"),
                  owner: owner)]
    }

    /// The group's members as the chat is reported (address book, member contact name, push
    /// name), then Minji and the owner in the 1:1 chat, then the owner in the group.
    static let participants = [
        ParticipantInfo(chatKey: "chat1", displayName: "민지 Minji", nativeID: minji),
        ParticipantInfo(chatKey: "chat1", displayName: "준호 Junho", nativeID: junho),
        ParticipantInfo(chatKey: "chat1", displayName: "Alex M.", nativeID: alex),
        ParticipantInfo(chatKey: "chat0", displayName: "민지 Minji", nativeID: minji),
        ParticipantInfo(chatKey: "chat0", displayName: nil, nativeID: nil, isDeviceOwner: true),
        ParticipantInfo(chatKey: "chat1", displayName: nil, nativeID: nil, isDeviceOwner: true),
    ]

    static func expectedMessages(group base: String) -> [MessageRecord] {
        let m = ("민지 Minji", minji), j = ("준호 Junho", junho), a = ("Alex M.", alex)
        var created = msg("chat1", 0, "3A0000000000000000C1", 1, owner: true, sent: t0 - 3600,
                          extra: ["message_type": .number(6), "group_event_type": .number(12), "status": .number(0)])
        created.kind = .system
        created.service = ServiceAction(action: "group_event", details: .object(["group_event_type": .number(12)]))
        var photo = msg("chat1", 4, "3A0000000000000000B2", 5, sender: j, sent: t0 + 120, text: "콘서트 사진 🎤",
                        extra: ["message_type": .number(1), "status": .number(0)])
        photo.attachments = [AttachmentRef(reference: Self.photo, resolvedPath: nil, kind: .photo, mimeType: "image/jpeg",
                                           size: 48213, devicePaths: [base + "Message/" + Self.photo])]
        var deleted = msg("chat0", 6, "3A0000000000000000A4", 7, sender: m, sent: t0 + 240,
                          extra: ["message_type": .number(14), "status": .number(0)])
        deleted.deleted = true
        var encrypted = msg("chat0", 7, nil, 8, sent: t0 + 300,
                            extra: ["message_type": .number(10), "group_event_type": .number(2), "status": .number(0)])
        encrypted.kind = .system
        encrypted.service = ServiceAction(action: "system", details: .object(["group_event_type": .number(2)]))
        return [
            created,
            msg("chat0", 1, "3A0000000000000000A1", 2, sender: m, sent: t0, text: "안녕 서연! 콘서트 사진 있어?",
                extra: ["message_type": .number(0), "status": .number(8)]),
            msg("chat0", 2, "3A0000000000000000A2", 3, owner: true, sent: t0 + 75.25, text: "응 잠깐만 Sure, one sec",
                extra: ["message_type": .number(0), "status": .number(8), "starred": .bool(true)]),
            msg("chat1", 3, "3A0000000000000000B1", 4, sender: j, sent: t0 + 100, text: "사진 보낼게 (sending the photo)",
                extra: ["message_type": .number(0), "status": .number(0)]),
            photo,
            msg("chat0", 5, "3A0000000000000000A3", 6, sender: m, sent: t0 + 200, extra: [
                "message_type": .number(5), "status": .number(0),
                "location": .object(["latitude": .number(37.5207), "longitude": .number(127.1213), "title": .string("Olympic Park, Seoul")]),
            ]),
            deleted,
            encrypted,
            msg("chat1", 8, "3A0000000000000000B3", 9, sender: a, sent: t0 + 600, text: "See you at the gate 🎟",
                extra: ["message_type": .number(0), "status": .number(0)]),
            msg("chat1", 9, "3A0000000000000000B4", 10, owner: true, sent: t0 + 660, text: "응 게이트에서 봐",
                extra: ["message_type": .number(0), "status": .number(8)]),
        ]
    }

    @Test func ffsDatabaseGivesEveryRecord() async throws {
        let dir = try TestDirectory("waios-ffs")
        defer { dir.remove() }
        let findings = try await IOSFixture.run(try IOSFixture.file("current", in: dir), in: dir)
        try #require(!findings.messages.isEmpty)
        #expect(findings.chats == Self.chats(owner: IOSFixture.owner))
        #expect(findings.participants == Self.participants)
        let expected = Self.expectedMessages(group: IOSFixture.ffsGroup)
        #expect(findings.messages.count == expected.count)
        for (got, want) in zip(findings.messages, expected) { #expect(got == want) }
        #expect(findings.warnings.isEmpty)
        // 2024-08-28T06:11:15.25Z: the fraction of a REAL Core Data time is kept.
        #expect(findings.messages[2].sent?.utcString == "2024-08-28T06:11:15.250000Z")
        #expect(findings.messages[0].sent?.utcString == "2024-08-28T05:10:00Z")
        // The photo's ZLATITUDE/ZLONGITUDE (14, 3) are not a place: no location on an image.
        #expect(findings.messages[4].extra?.objectValue?["location"] == nil)
        let db = try #require(findings.artifacts.first { $0.type == "sqlite.database" })
        #expect(db.properties.objectValue?["wal_present"] == .bool(true))
        let summary = try #require(findings.artifacts.first { $0.type == "whatsapp.chatstorage" })
        #expect(summary.properties.objectValue?["owner"] == .string(IOSFixture.owner))
        #expect(summary.properties.objectValue?["app_group"] == .string("3F2504E0-4F89-41D3-9A0C-0305E82C3301"))
        #expect(summary.properties.objectValue?["messages"] == .number(10))
    }

    @Test func backupDatabaseHasTheSameOwnerAndLinks() async throws {
        let dir = try TestDirectory("waios-backup")
        defer { dir.remove() }
        let findings = try await IOSFixture.run(
            try IOSFixture.file("current", devicePath: IOSFixture.backupGroup + "ChatStorage.sqlite", in: dir), in: dir)
        try #require(!findings.messages.isEmpty)
        #expect(findings.chats == Self.chats(owner: IOSFixture.owner))
        #expect(findings.messages == Self.expectedMessages(group: IOSFixture.backupGroup))
    }

    @Test func withoutTheWALTheNewestRowsAreAbsent() async throws {
        let dir = try TestDirectory("waios-nowal")
        defer { dir.remove() }
        let findings = try await IOSFixture.run(try IOSFixture.file("current", in: dir, companions: ["ContactsV2.sqlite"]), in: dir)
        try #require(!findings.messages.isEmpty)
        #expect(findings.messages == Array(Self.expectedMessages(group: IOSFixture.ffsGroup).prefix(8)))
    }

    @Test func withoutContactsV2NamesComeFromMembersAndPushNames() async throws {
        let dir = try TestDirectory("waios-nocontacts")
        defer { dir.remove() }
        let findings = try await IOSFixture.run(try IOSFixture.file("current", in: dir, companions: ["ChatStorage.sqlite-wal"]), in: dir)
        try #require(!findings.participants.isEmpty)
        // Minji's member contact name is empty, so her push name; never the base64 in ZPUSHNAME.
        #expect(findings.participants.prefix(3).map(\.displayName) == ["민지", "준호 Junho", "Alex M."])
        #expect(findings.chats.map(\.title) == ["민지 Minji", "콘서트 친구들 (Concert friends)"])
        #expect(!findings.messages.contains { $0.senderName == "CgbspIDtmLgSBDEyMzQ=" })
    }

    @Test func outsideAnExtractionTheOwnerIsTheFolder() async throws {
        let dir = try TestDirectory("waios-nodevice")
        defer { dir.remove() }
        let findings = try await IOSFixture.run(try IOSFixture.file("current", devicePath: nil, in: dir), in: dir)
        try #require(!findings.messages.isEmpty)
        #expect(findings.chats.map(\.owner) == ["phone.zip!/group", "phone.zip!/group"])
        #expect(findings.messages[4].attachments.first?.devicePaths == [])
        #expect(findings.messages[4].attachments.first?.reference == Self.photo)
    }

    @Test func streamingGivesTheSameFindingsInTheSameOrder() async throws {
        let dir = try TestDirectory("waios-stream")
        defer { dir.remove() }
        let file = try IOSFixture.file("current", in: dir)
        let collected = try await IOSFixture.run(file, in: dir)
        var streamed: [Finding] = []
        try WhatsAppIOSDBAnalyzer().analyze(file, context: AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url), into: CallbackSink(finding: { streamed.append($0) }))
        try #require(!collected.isEmpty)
        #expect(streamed == collected.findings)
    }
}
