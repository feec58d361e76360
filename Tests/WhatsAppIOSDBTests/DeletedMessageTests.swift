import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
import WhatsAppIOSDB

/// Deleted messages of ChatStorage.sqlite (corpora/phone/whatsapp-ios/deleted, made by
/// make_whatsapp_ios_deleted.py): a `ZWAMESSAGE` row deleted with secure_delete off comes back
/// as a message marked recovered, after the live ones and read through the live mapping; with
/// secure_delete on nothing is claimed.
@Suite struct IOSDeletedMessageTests {
    static let t0 = 746_518_200.0

    @Test func deletedRowIsRecovered() async throws {
        let dir = try TestDirectory()
        let findings = try await IOSFixture.run(try IOSFixture.file("deleted/secure-off", in: dir), in: dir)
        let messages = findings.messages
        try #require(!messages.isEmpty)
        #expect(messages.map(\.nativeID) == ["3A00000000000000D0A1", "3A00000000000000D0A2", "3A00000000000000D0A4",
                                             "3A00000000000000D0A3"])
        #expect(messages.prefix(3).allSatisfy { $0.recovered == nil })
        let recovered = try #require(messages.last)
        let r = try #require(recovered.recovered)
        #expect(r.tableName == "ZWAMESSAGE")
        #expect(r.duplicateOfLive == false)
        let place = "recovered ZWAMESSAGE rowid \(r.rowid.map(String.init) ?? "unknown") (\(r.source.rawValue), page \(r.page), cell offset \(r.cellOffset))"
        // A freeblock header overwrote the cell's first bytes: the rowid (Z_PK) is lost.
        #expect(r.source == .freeblock)
        #expect(r.rowid == nil)
        let extra: [String: JSONValue] = ["message_type": .number(0), "status": .number(8), "missing_columns": .array([.string("Z_PK")])]
        let expected = MessageRecord(
            chatKey: "chat0", sequence: 3, nativeID: "3A00000000000000D0A3", senderName: nil,
            senderNativeID: "821055501234@s.whatsapp.net", fromDeviceOwner: false, sent: coreData(Self.t0 + 120),
            text: "돈은 현금으로 가져와 bring the cash", extra: .object(extra), location: SourceLocation(record: place), recovered: r)
        #expect(recovered == expected)
        // No ContactsV2 or push names in this fixture: no name, as for Minji's live message.
        #expect(recovered.senderName == messages[0].senderName)
        let artifact = try #require(findings.artifacts.first { $0.type == "whatsapp.chatstorage" })
        #expect(artifact.properties.objectValue?["messages"] == .number(3))
        #expect(artifact.properties.objectValue?["messages_recovered"] == .number(1))
    }

    @Test func secureDeleteLeavesNothingToClaim() async throws {
        let dir = try TestDirectory()
        let findings = try await IOSFixture.run(try IOSFixture.file("deleted/secure-on", in: dir), in: dir)
        let messages = findings.messages
        try #require(!messages.isEmpty)
        #expect(messages.map(\.nativeID) == ["3A00000000000000D0A1", "3A00000000000000D0A2", "3A00000000000000D0A4"])
        #expect(messages.allSatisfy { $0.recovered == nil })
        #expect(findings.artifacts.first { $0.type == "whatsapp.chatstorage" }?.properties.objectValue?["messages_recovered"] == nil)
    }

    /// The committed live fixture (rows only in the -wal) gains no recovered message.
    @Test func theLiveFixtureGainsNoRecoveredMessage() async throws {
        let dir = try TestDirectory()
        let findings = try await IOSFixture.run(try IOSFixture.file("current", in: dir), in: dir)
        try #require(!findings.messages.isEmpty)
        #expect(findings.messages.allSatisfy { $0.recovered == nil })
    }
}
