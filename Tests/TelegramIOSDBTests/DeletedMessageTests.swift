import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
import TelegramIOSDB

/// Deleted messages of the postbox (corpora/phone/telegram-ios/deleted, secure_delete off): t7 is
/// a WITHOUT ROWID table, so they are carved from its index b-tree pages and come back as
/// messages marked recovered, decoded by the live decoder, with their media.
@Suite struct DeletedMessageTests {
    static let minji: Int64 = 5_550_002, owner: Int64 = 5_550_001
    static let knownBad: Int64 = 5_012_345_678_901_234_567

    static func key(_ ts: Int64, _ id: Int32) -> String {
        String((TGFixture.record(minji, Int32(ts), id).record ?? "").dropFirst("t7 key ".count))
    }

    @Test func deletedMessagesComeBackMarkedRecoveredWithTheirMedia() async throws {
        let dir = try TestDirectory("tgios-deleted")
        defer { dir.remove() }
        let findings = try await TGFixture.run(try TGFixture.file("deleted", in: dir), in: dir)
        let messages = findings.messages
        try #require(!messages.isEmpty)
        let live = messages.filter { $0.recovered == nil }
        #expect(live.count == 36)
        let recovered = messages.filter { $0.recovered != nil }
        try #require(recovered.count == 4)
        let t0 = PostboxFixtureTests.t0
        // Recovery order: main-file pages by number, then the WAL.
        #expect(recovered.map(\.nativeID) == ["320", "312", "307", "333"])
        #expect(recovered.map(\.text) == ["that picture 그 사진", "look 봐", "비밀 secret: the code is 4417, delete this",
                                          "WAL-only deletion: meet at gate 3"])
        for m in recovered {
            #expect(m.chatKey == live[0].chatKey)
            #expect(m.extra == .object(["namespace": .number(0), "flags": .number(m.fromDeviceOwner ? 0 : 4)]))
            #expect(m.recovered?.tableName == "t7")
            #expect(m.recovered?.rowid == nil)
            #expect(m.recovered?.duplicateOfLive == false)
        }
        let secret = recovered[2]
        let r = try #require(secret.recovered)
        #expect(r.source == .unallocated || r.source == .freeblock)
        #expect(secret.location == SourceLocation(record: "recovered t7 key \(Self.key(t0 + 420, 307)) rowid unknown (\(r.source.rawValue), page \(r.page), cell offset \(r.cellOffset))"))
        #expect(secret.sent == TGFixture.utc(t0 + 420))
        #expect(secret.senderNativeID == String(Self.minji))
        #expect(secret.senderName == "민지 Minji")
        #expect(!secret.fromDeviceOwner)
        #expect(secret.attachments.isEmpty)
        // Embedded media come from the recovered bytes; referenced media from the live t6 entry.
        #expect(recovered[1].attachments == [PostboxFixtureTests.photo(6_012_345_678_901_234_999)])
        #expect(recovered[0].attachments == [PostboxFixtureTests.photo(Self.knownBad)])
        #expect(recovered[0].fromDeviceOwner)
        #expect(recovered[0].senderNativeID == String(Self.owner))
        // Deleted only after the last checkpoint: its bytes are in the WAL's page version.
        let wal = try #require(recovered[3].recovered)
        #expect(wal.source == .wal)
        let counts = try #require(findings.artifacts.first { $0.type == "telegram.recovered-messages" })
        #expect(counts.properties == .object(["messages_recovered": .number(4), "recovered_copies_of_live": .number(0),
                                              "recovered_too_damaged": .number(0)]))
        #expect(findings.warnings.isEmpty, "\(findings.warnings)")
    }

    /// With secure_delete=ON the freed cells are zeroed: only the deletion still in the WAL's
    /// history (the main file's older page) comes back.
    @Test func secureDeleteLeavesOnlyTheWALHistory() async throws {
        let dir = try TestDirectory("tgios-deleted-secure")
        defer { dir.remove() }
        let findings = try await TGFixture.run(try TGFixture.file("deleted-secure", in: dir), in: dir)
        try #require(!findings.messages.isEmpty)
        let recovered = findings.messages.filter { $0.recovered != nil }
        #expect(recovered.map(\.nativeID) == ["333"])
        #expect(recovered.first?.recovered?.source == .wal)
        #expect(recovered.first?.recovered?.walFrame == nil)
    }

    /// The main fixture has no deleted message: no recovered message, no counts artifact.
    @Test func theMainFixtureGainsNoRecoveredMessage() async throws {
        let dir = try TestDirectory("tgios-main-norecovered")
        defer { dir.remove() }
        let findings = try await TGFixture.run(try TGFixture.file("account", in: dir), in: dir)
        try #require(!findings.messages.isEmpty)
        #expect(findings.messages.allSatisfy { $0.recovered == nil })
        #expect(findings.artifacts.allSatisfy { $0.type != "telegram.recovered-messages" })
    }
}
