import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
import WhatsAppIOSDB

/// The hostile fixtures (corpora/phone/whatsapp-ios/hostile): each ends as warnings plus whatever
/// could be read, or as the AnalyzerError AppDatabase gives for a file SQLite cannot read.
@Suite struct IOSBadInputTests {
    static func codes(_ findings: AnalyzerOutput) -> [String] { findings.warnings.map(\.code) }

    @Test func missingTablesKeepTheMessagesUnderAPlaceholderChat() async throws {
        let dir = try TestDirectory("waios-missing")
        defer { dir.remove() }
        let findings = try await IOSFixture.run(try IOSFixture.file("hostile/missing-tables", in: dir), in: dir)
        try #require(!findings.messages.isEmpty)
        #expect(findings.chats == [ChatInfo(
            chatKey: "chat0", platform: .whatsapp, format: .whatsAppIOSDB, location: SourceLocation(record: "ZWAMESSAGE Z_PK 1"),
            notes: ["messages name chat row 1, which ZWACHATSESSION does not hold"], owner: IOSFixture.owner)])
        #expect(findings.participants == [
            ParticipantInfo(chatKey: "chat0", displayName: nil, nativeID: ChatStorageTests.minji),
            ParticipantInfo(chatKey: "chat0", displayName: nil, nativeID: nil, isDeviceOwner: true),
        ])
        #expect(findings.messages == [
            MessageRecord(chatKey: "chat0", sequence: 0, senderNativeID: ChatStorageTests.minji, sent: coreData(746_518_200),
                          text: "only the message table is left", extra: .object(["message_type": .number(0)]),
                          location: SourceLocation(record: "ZWAMESSAGE Z_PK 1")),
            MessageRecord(chatKey: "chat0", sequence: 1, fromDeviceOwner: true, sent: coreData(746_518_260),
                          text: "답장 reply", extra: .object(["message_type": .number(0)]), location: SourceLocation(record: "ZWAMESSAGE Z_PK 2")),
        ])
        #expect(Self.codes(findings) == ["missing-table-zwachatsession", "missing-table-zwagroupmember", "missing-table-zwamediaitem",
                                         "missing-table-zwaprofilepushname", "missing-chat"])
        #expect(findings.warnings[4].message.contains("once, first at ZWAMESSAGE Z_PK 1"))
    }

    @Test func nullsAndWrongTypesGiveEmptyFieldsAndCountedWarnings() async throws {
        let dir = try TestDirectory("waios-nulls")
        defer { dir.remove() }
        let findings = try await IOSFixture.run(try IOSFixture.file("hostile/nulls", in: dir), in: dir)
        let messages = findings.messages
        try #require(messages.count == 4)
        #expect(messages.map(\.sequence) == [0, 1, 2, 3])
        #expect(findings.chats.map(\.chatKey) == ["chat0", "chat1", "chat2", "chat3"])
        #expect(findings.chats[0].nativeID == nil && findings.chats[0].chatType == nil)
        #expect(findings.chats[1].chatType == "group")
        #expect(messages.map(\.chatKey) == ["chat2", "chat0", "chat1", "chat3"])
        // Every column NULL: an empty message, no time, no sender.
        #expect(messages[0] == MessageRecord(chatKey: "chat2", sequence: 0, location: SourceLocation(record: "ZWAMESSAGE Z_PK 1")))
        // A text time and a BLOB text are not converted by force.
        #expect(messages[1].sent == nil && messages[1].text == "")
        // 1e300 seconds: raw kept, no instant; a location whose latitude is text gives no place.
        #expect(messages[2].sent == TimeValue(raw: "1e+300", utcMicros: nil, basis: .utc, precision: .second,
                                             note: "not a plausible Core Data time (seconds since 2001-01-01)"))
        #expect(messages[2].extra == .object(["message_type": .number(5)]))
        #expect(messages[3].text == "orphan" && messages[3].senderNativeID == nil)
        #expect(Self.codes(findings) == ["member-without-jid", "missing-chat", "unknown-sender", "bad-timestamp", "wrong-column-type",
                                         "missing-member", "time-out-of-range"])
        #expect(findings.warnings[2].message.contains("4 times"))
        #expect(findings.warnings[1].message.contains("2 times"))
    }

    @Test func zeroByteFileIsAnEmptyDatabaseError() async throws {
        let dir = try TestDirectory("waios-empty")
        defer { dir.remove() }
        let file = try IOSFixture.file("hostile/empty", in: dir)
        await #expect { try await IOSFixture.run(file, in: dir) } throws: { ($0 as? AnalyzerError)?.code == "empty-database" }
    }

    @Test func nonDatabaseIsNotADatabaseError() async throws {
        let dir = try TestDirectory("waios-notdb")
        defer { dir.remove() }
        let file = try IOSFixture.file("hostile/notdb", in: dir)
        await #expect { try await IOSFixture.run(file, in: dir) } throws: { ($0 as? AnalyzerError)?.code == "not-a-database" }
    }
}
