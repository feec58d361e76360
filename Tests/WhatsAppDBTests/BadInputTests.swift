import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
import WhatsAppDB

/// The hostile fixtures (corpora/phone/whatsapp/hostile): each ends as warnings plus whatever
/// could be read, or as the AnalyzerError AppDatabase gives for a file SQLite cannot read.
@Suite struct BadInputTests {
    static func codes(_ findings: AnalyzerOutput) -> [String] { findings.warnings.map(\.code) }

    @Test func missingTablesKeepTheMessagesUnderAPlaceholderChat() async throws {
        let dir = try TestDirectory("wa-missing")
        defer { dir.remove() }
        let findings = try await WAFixture.run(try WAFixture.file("hostile/missing-tables", in: dir), in: dir)
        try #require(!findings.messages.isEmpty)
        #expect(findings.chats == [ChatInfo(
            chatKey: "chat0", platform: .whatsapp, format: .whatsAppAndroidDB, location: SourceLocation(record: "message rowid 1"),
            notes: ["messages name chat row 3, which the database's chat tables do not hold"], owner: WAFixture.owner)])
        #expect(findings.messages == [
            MessageRecord(chatKey: "chat0", sequence: 0, nativeID: "K1", sent: ms(1_724_825_400_000), text: "고아 메시지 orphan",
                          extra: .object(["message_type": .number(0)]), location: SourceLocation(record: "message rowid 1")),
            MessageRecord(chatKey: "chat0", sequence: 1, nativeID: "K2", fromDeviceOwner: true, sent: ms(1_724_825_460_000),
                          text: "reply", extra: .object(["message_type": .number(0)]), location: SourceLocation(record: "message rowid 2")),
        ])
        #expect(Self.codes(findings) == ["missing-table", "missing-chat", "unknown-sender"])
        #expect(findings.warnings[1].message.contains("once, first at message rowid 1"))
    }

    @Test func nullsEverywhereGiveEmptyFieldsAndCountedWarnings() async throws {
        let dir = try TestDirectory("wa-nulls")
        defer { dir.remove() }
        let findings = try await WAFixture.run(try WAFixture.file("hostile/nulls", in: dir), in: dir)
        let messages = findings.messages
        try #require(messages.count == 5)
        #expect(messages.map(\.sequence) == [0, 1, 2, 3, 4])
        #expect(messages.allSatisfy { $0.sent == nil && $0.nativeID == nil && $0.text == "" })
        #expect(messages[0].attachments == [AttachmentRef(
            reference: nil, resolvedPath: nil, kind: .other,
            missingReason: "the database names no local file (not downloaded, or removed)")])
        #expect(messages[1].deleted)
        #expect(messages[2].kind == .system && messages[2].editedMarker && messages[2].touched == nil)
        #expect(messages[4].kind == .service && messages[4].service?.action == "phone_call")
        #expect(Self.codes(findings) == ["missing-chat", "missing-key", "unknown-sender"])
        #expect(findings.warnings[1].message.contains("4 times"))
    }

    @Test func wrongColumnTypesAreNotConvertedByForce() async throws {
        let dir = try TestDirectory("wa-types")
        defer { dir.remove() }
        let findings = try await WAFixture.run(try WAFixture.file("hostile/wrong-types", in: dir), in: dir)
        let messages = findings.messages
        try #require(messages.count == 4)
        // BLOB key id, text timestamp, invalid UTF-8 text: left empty, never decoded by guessing.
        #expect(messages[0].nativeID == nil && messages[0].sent == nil && messages[0].text == "" && !messages[0].fromDeviceOwner)
        // A REAL millisecond value keeps its fraction in the raw text.
        #expect(messages[1].sent == TimeValue(raw: "1724825400000.5", utcMicros: 1_724_825_400_000_500, basis: .utc, precision: .millisecond))
        #expect(messages[1].text == "fine text")
        // A time past year 9999: raw kept, no instant.
        #expect(messages[2].sent == TimeValue(raw: "99999999999999999", utcMicros: nil, basis: .utc, precision: .millisecond,
                                              note: "not a plausible Unix time in milliseconds"))
        #expect(messages[2].attachments.first?.size == nil && messages[2].attachments.first?.mimeType == nil)
        #expect(messages[3].kind == .service && messages[3].sent == nil && messages[3].nativeID == nil)
        #expect(findings.chats.first?.title == nil)
        #expect(Self.codes(findings) == ["wrong-column-type", "missing-key", "bad-timestamp", "missing-chat", "unknown-sender", "time-out-of-range"])
    }

    @Test(arguments: [("hostile/zip", "not-a-database"), ("hostile/empty", "empty-database")])
    func unreadableFilesThrowTheAppDatabaseError(folder: String, code: String) async throws {
        let dir = try TestDirectory("wa-unreadable")
        defer { dir.remove() }
        let file = try WAFixture.file(folder, in: dir)
        await #expect { try await WAFixture.run(file, in: dir) } throws: { error in
            (error as? AnalyzerError)?.code == code
        }
    }

    @Test func aGarbageWaDbGivesAWarningAndNoNames() async throws {
        let dir = try TestDirectory("wa-badcontacts")
        defer { dir.remove() }
        let file = try WAFixture.file("current", in: dir)
        let wa = try #require(file.companion(named: "wa.db"))
        try Data("PK\u{3}\u{4} not a database".utf8).write(to: wa.url)
        let findings = try await WAFixture.run(file, in: dir)
        try #require(findings.messages.count == 15)
        #expect(findings.chats.first?.title == nil)
        #expect(findings.messages.allSatisfy { $0.senderName == nil })
        #expect(Self.codes(findings) == ["wa-db-unreadable"])
    }

    @Test func aDatabaseWithNeitherSchemaSaysSo() async throws {
        let dir = try TestDirectory("wa-other")
        defer { dir.remove() }
        // wa.db (contacts only) under the name msgstore.db.
        let src = dir.url.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Corpus.url("phone/whatsapp/legacy/wa.db"), to: src.appendingPathComponent("msgstore.db"))
        let file = try WAFixture.copy(from: src, devicePath: WAFixture.devicePath, in: dir)
        let findings = try await WAFixture.run(file, in: dir)
        #expect(findings.messages.isEmpty && findings.chats.isEmpty)
        #expect(Self.codes(findings) == ["not-whatsapp-schema"])
    }
}
