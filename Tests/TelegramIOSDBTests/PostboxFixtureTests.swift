import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
import TelegramIOSDB

/// The main fixture (corpora/phone/telegram-ios/account): a 1:1 chat with 민지 and a group, a
/// photo embedded in a message, the known-bad photo referenced through t6, a forwarded document,
/// and a last message that exists only in the `-wal`.
@Suite struct PostboxFixtureTests {
    static let minji: Int64 = 5_550_002, owner: Int64 = 5_550_001, alex: Int64 = 5_550_003, junho: Int64 = 5_550_004
    static let group: Int64 = (1 << 32) | 777_001
    static let t0: Int64 = 1_724_825_400

    static func media(_ id: String) -> [String] {
        ["\(TGFixture.account)/postbox/media/\(id)", "\(TGFixture.account)/postbox/media/\(id)_partial"]
    }

    static func photo(_ id: Int64) -> AttachmentRef {
        AttachmentRef(reference: "telegram-cloud-photo-size-2-\(id)-y", resolvedPath: nil, kind: .photo, size: 24101,
                      width: 1280, height: 960, devicePaths: media("telegram-cloud-photo-size-2-\(id)-y"))
    }

    @Test func chatsParticipantsAndMessagesAreReadInKeyOrder() async throws {
        let dir = try TestDirectory("tgios-main")
        defer { dir.remove() }
        let findings = try await TGFixture.run(try TGFixture.file("account", in: dir), in: dir)
        let messages = findings.messages
        try #require(!messages.isEmpty)
        let a = TGFixture.account, t0 = Self.t0
        #expect(findings.chats == [
            ChatInfo(chatKey: "chat0", platform: .telegram, format: .telegramIOSDB, nativeID: "5550002", title: "민지 Minji",
                     chatType: "private", location: TGFixture.record(Self.minji, Int32(t0), 101), owner: a),
            ChatInfo(chatKey: "chat1", platform: .telegram, format: .telegramIOSDB, nativeID: String(Self.group),
                     title: "콘서트 친구들 (Concert friends)", chatType: "group",
                     location: TGFixture.record(Self.group, Int32(t0 + 3600), 201), owner: a),
        ])
        #expect(findings.participants == [
            ParticipantInfo(chatKey: "chat0", displayName: "민지 Minji", nativeID: "5550002"),
            ParticipantInfo(chatKey: "chat0", displayName: "서연 (Seoyeon)", nativeID: "5550001", isDeviceOwner: true),
            ParticipantInfo(chatKey: "chat1", displayName: "Alex M.", nativeID: "5550003"),
            ParticipantInfo(chatKey: "chat1", displayName: "서연 (Seoyeon)", nativeID: "5550001", isDeviceOwner: true),
            ParticipantInfo(chatKey: "chat1", displayName: "민지 Minji", nativeID: "5550002"),
            ParticipantInfo(chatKey: "chat1", displayName: "@junho88", nativeID: "5550004"),
        ])
        #expect(messages == [
            MessageRecord(chatKey: "chat0", sequence: 0, nativeID: "101", senderName: "민지 Minji", senderNativeID: "5550002",
                          sent: TGFixture.utc(t0), text: "안녕 서연! 내일 콘서트 갈 거야?", extra: TGFixture.extra(4),
                          location: TGFixture.record(Self.minji, Int32(t0), 101)),
            MessageRecord(chatKey: "chat0", sequence: 1, nativeID: "102", senderName: "서연 (Seoyeon)", senderNativeID: "5550001",
                          fromDeviceOwner: true, sent: TGFixture.utc(t0 + 60), text: "Yes! See you at 7 🙂", extra: TGFixture.extra(0),
                          location: TGFixture.record(Self.minji, Int32(t0 + 60), 102)),
            MessageRecord(chatKey: "chat0", sequence: 2, nativeID: "103", senderName: "민지 Minji", senderNativeID: "5550002",
                          sent: TGFixture.utc(t0 + 120), text: "", attachments: [Self.photo(6_012_345_678_901_234_567)],
                          extra: TGFixture.extra(4), location: TGFixture.record(Self.minji, Int32(t0 + 120), 103)),
            MessageRecord(chatKey: "chat0", sequence: 3, nativeID: "104", senderName: "민지 Minji", senderNativeID: "5550002",
                          sent: TGFixture.utc(t0 + 180), text: "again 다시", attachments: [Self.photo(6_012_345_678_901_234_567)],
                          extra: TGFixture.extra(4), location: TGFixture.record(Self.minji, Int32(t0 + 180), 104)),
            MessageRecord(chatKey: "chat1", sequence: 4, nativeID: "201", senderName: "Alex M.", senderNativeID: "5550003",
                          sent: TGFixture.utc(t0 + 3600), text: "Who's bringing the tickets?", extra: TGFixture.extra(4),
                          location: TGFixture.record(Self.group, Int32(t0 + 3600), 201)),
            MessageRecord(chatKey: "chat1", sequence: 5, nativeID: "202", senderName: "서연 (Seoyeon)", senderNativeID: "5550001",
                          fromDeviceOwner: true, sent: TGFixture.utc(t0 + 3660), text: "내가 가져갈게 — I'll bring them",
                          extra: TGFixture.extra(0), location: TGFixture.record(Self.group, Int32(t0 + 3660), 202)),
            MessageRecord(chatKey: "chat1", sequence: 6, nativeID: "203", senderName: "민지 Minji", senderNativeID: "5550002",
                          sent: TGFixture.utc(1_724_857_923), text: "사진 보내요 photo",
                          attachments: [Self.photo(5_012_345_678_901_234_567)], extra: TGFixture.extra(4),
                          location: TGFixture.record(Self.group, 1_724_857_923, 203)),
            MessageRecord(chatKey: "chat1", sequence: 7, nativeID: "204", senderName: "@junho88", senderNativeID: "5550004",
                          sent: TGFixture.utc(t0 + 32600), text: "티켓 tickets", forwardedFrom: "Alex M.", forwardedFromNativeID: "5550003",
                          attachments: [AttachmentRef(reference: "telegram-cloud-document-4-7012345678901234567", resolvedPath: nil,
                                                      kind: .file, fileName: "tickets.pdf", mimeType: "application/pdf", size: 48213,
                                                      devicePaths: Self.media("telegram-cloud-document-4-7012345678901234567"))],
                          extra: .object(["namespace": .number(0), "flags": .number(4), "forward_date": .string("2024-08-27T06:10:00Z")]),
                          location: TGFixture.record(Self.group, Int32(t0 + 32600), 204)),
            MessageRecord(chatKey: "chat1", sequence: 8, nativeID: "205", senderName: "Alex M.", senderNativeID: "5550003",
                          sent: TGFixture.utc(t0 + 32700), text: "WAL only: 마지막 메시지 last message", extra: TGFixture.extra(4),
                          location: TGFixture.record(Self.group, Int32(t0 + 32700), 205)),
        ])
        #expect(findings.warnings == [])
        #expect(findings.artifacts.last == Artifact(type: "telegram.postbox", properties: .object([
            "owner": .string(a), "peers": .number(5), "messages": .number(9), "chats": .number(2),
        ]), location: SourceLocation(record: "sqlite_master")))
        // The artifact comes first, each chat before anything naming it.
        guard case .artifact = findings.first else { Issue.record("the sqlite.database artifact must come first"); return }
    }

    @Test func withoutTheWALTheLastMessageIsAbsentAndOwnerComesFromTheVirtualPath() async throws {
        let dir = try TestDirectory("tgios-nowal")
        defer { dir.remove() }
        let file = try TGFixture.file("account", devicePath: nil, companions: false, in: dir)
        let findings = try await TGFixture.run(file, in: dir)
        try #require(!findings.messages.isEmpty)
        #expect(findings.messages.count == 8)
        #expect(findings.messages.last?.nativeID == "204")
        #expect(findings.chats.map(\.owner) == ["iphone.zip!/account", "iphone.zip!/account"])
    }

    @Test func sameInputGivesTheSameFindings() async throws {
        let dir = try TestDirectory("tgios-determinism")
        defer { dir.remove() }
        let a = try await TGFixture.run(try TGFixture.file("account", in: dir), in: dir)
        let b = try await TGFixture.run(try TGFixture.file("account", in: dir), in: dir)
        try #require(!a.isEmpty)
        #expect(a.messages == b.messages && a.chats == b.chats && a.participants == b.participants && a.warnings == b.warnings)
    }

    @Test func descriptorAcceptsTheAppGroupPath() {
        let d = TelegramIOSDBAnalyzer().descriptor
        #expect(d.id == "telegram-ios-db")
        #expect(d.accepts.companions == ["{name}-wal", "{name}-journal"])
        #expect(d.accepts.pathGlobs == ["*/postbox/db/db_sqlite"])
        #expect(d.accepts.devicePathGlobs.contains("/private/var/mobile/Containers/Shared/AppGroup/*/telegram-data/account-*/postbox/db/db_sqlite"))
    }
}
