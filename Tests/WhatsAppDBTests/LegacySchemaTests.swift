import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
import WhatsAppDB

/// The legacy fixture (`messages` with `key_remote_jid`) and the transitional one (both tables).
@Suite struct LegacySchemaTests {
    static let minji = "821055501234@s.whatsapp.net", junho = "821055509999@s.whatsapp.net"
    static let alex = "447700900123@s.whatsapp.net", group = "120363025551234567@g.us"
    static let l0: Int64 = 1_615_777_200_000  // 2021-03-15T03:00:00Z

    static func legacy(_ chat: String, _ seq: Int, _ key: String, _ rowid: Int, sender: (String?, String?) = (nil, nil),
                       owner: Bool = false, sent: Int64, text: String = "", extra: [String: JSONValue]) -> MessageRecord {
        MessageRecord(chatKey: chat, sequence: seq, nativeID: key, senderName: sender.0, senderNativeID: sender.1,
                      fromDeviceOwner: owner, sent: ms(sent), text: text, extra: .object(extra),
                      location: SourceLocation(record: "messages rowid \(rowid)"))
    }

    @Test func legacyMessagesAreFullRecords() async throws {
        let dir = try TestDirectory("wa-legacy")
        defer { dir.remove() }
        let findings = try await WAFixture.run(try WAFixture.file("legacy", in: dir), in: dir)
        try #require(!findings.isEmpty)
        #expect(findings.chats == WAFixture.chats(table: "chat_list", created: ("created 2021-03-14T03:00:00Z (raw 1615690800000)",
                                                                              "created 2021-03-15T02:00:00Z (raw 1615773600000)")))
        // group_participants lists the device owner with an empty jid: the same participants as the current fixture.
        #expect(findings.participants == WAFixture.participants)
        let m = ("민지 Minji", Self.minji), j = ("준호", Self.junho)
        let l0 = Self.l0, min: Int64 = 60_000
        var photo = Self.legacy("chat0", 2, "LEGACY0000000000A003", 4, sender: m, sent: l0 + 2 * min, text: "옛날 사진 old photo",
                                extra: ["media_wa_type": .number(1), "status": .number(0)])
        photo.attachments = [AttachmentRef(
            reference: "IMG-20210315-WA0003.jpg", resolvedPath: nil, kind: .photo, mimeType: "image/jpeg", size: 35120,
            missingReason: "the legacy schema keeps the local path only inside a serialized thumb_image object, which is not read")]
        var reply = Self.legacy("chat0", 3, "LEGACY0000000000A004", 5, owner: true, sent: l0 + 3 * min, text: "기억난다 I remember",
                                extra: ["media_wa_type": .number(0), "status": .number(13), "quoted_text": .string("옛날 사진 old photo")])
        reply.replyToNativeID = "LEGACY0000000000A003"
        var revoked = Self.legacy("chat0", 4, "LEGACY0000000000A005", 6, sender: m, sent: l0 + 4 * min,
                                  extra: ["media_wa_type": .number(15), "status": .number(0)])
        revoked.deleted = true
        var system = Self.legacy("chat1", 5, "LEGACY0000000000B001", 7, owner: true, sent: l0 - 3_600_000,
                                 extra: ["media_wa_type": .number(0), "status": .number(6)])
        system.kind = .system
        system.service = ServiceAction(action: "system", details: .object(["action_code": .number(11)]))
        let want = [
            Self.legacy("chat0", 0, "LEGACY0000000000A001", 2, sender: m, sent: l0, text: "오랜만이야! Long time no see",
                        extra: ["media_wa_type": .number(0), "status": .number(0)]),
            Self.legacy("chat0", 1, "LEGACY0000000000A002", 3, owner: true, sent: l0 + min, text: "잘 지냈어? How are you?",
                        extra: ["media_wa_type": .number(0), "status": .number(13)]),
            photo, reply, revoked, system,
            Self.legacy("chat1", 6, "LEGACY0000000000B002", 8, sender: j, sent: l0 + 10 * min, text: "단체방 안녕 hi all",
                        extra: ["media_wa_type": .number(0), "status": .number(0)]),
            Self.legacy("chat1", 7, "LEGACY0000000000B003", 9, owner: true, sent: l0 + 11 * min, text: "전달된 메시지 forwarded note",
                        extra: ["media_wa_type": .number(0), "status": .number(13), "forwarded": .bool(true)]),
        ]
        let got = findings.messages
        #expect(got.count == want.count)
        for (g, w) in zip(got, want) { #expect(g == w) }
        #expect(findings.warnings.isEmpty)
    }

    /// Both tables: the current table first, then legacy rows it does not hold — the key is
    /// WhatsApp's own (remote JID, from_me, key_id).
    @Test func transitionalDatabaseIsReadFromBothWithoutDuplicates() async throws {
        let dir = try TestDirectory("wa-transitional")
        defer { dir.remove() }
        let findings = try await WAFixture.run(try WAFixture.file("transitional", in: dir), in: dir)
        let messages = findings.messages
        try #require(!messages.isEmpty)
        #expect(messages.map(\.nativeID) == [
            "LEGACY0000000000A001", "LEGACY0000000000B002", "NEW00000000000000001",
            "LEGACY0000000000A002", "LEGACY0000000000A003", "LEGACY0000000000A004", "LEGACY0000000000A005",
            "LEGACY0000000000B001", "LEGACY0000000000B003",
        ])
        #expect(messages.map(\.sequence) == Array(0..<9))
        #expect(messages.map { $0.location.record ?? "" } == [
            "message rowid 1", "message rowid 2", "message rowid 3",
            "messages rowid 3", "messages rowid 4", "messages rowid 5", "messages rowid 6", "messages rowid 7", "messages rowid 9",
        ])
        // One chat per JID across both schemas (no wa.db here: no contact names).
        #expect(findings.chats.map(\.nativeID) == [Self.minji, Self.group])
        #expect(findings.chats.map(\.title) == [nil, "콘서트 친구들 (Concert friends)"])
        #expect(Set(messages.map(\.chatKey)) == ["chat0", "chat1"])
        let summary = try #require(findings.artifacts.first { $0.type == "whatsapp.msgstore" })
        #expect(summary.properties.object?["schemas"] == .array([.string("current"), .string("legacy")]))
        #expect(summary.properties.object?["legacy_duplicates_skipped"] == .number(2))
        #expect(findings.warnings.isEmpty)
    }
}
