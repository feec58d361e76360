import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
import WhatsAppDB

/// Deleted messages (corpora/phone/whatsapp/deleted, made by make_whatsapp_deleted.py): a row
/// deleted with secure_delete off becomes a message marked recovered, read through the live
/// mapping; a stale copy of a live row is not repeated; a revoked message whose database was
/// then VACUUMed, and a deletion with secure_delete on, give no recovered message at all.
@Suite struct DeletedMessageTests {
    static let t0: Int64 = 1_724_825_400_000

    static func run(_ folder: String) async throws -> (findings: AnalyzerOutput, file: EvidenceFile, dir: TestDirectory) {
        let dir = try TestDirectory()
        let file = try WAFixture.file("deleted/\(folder)", in: dir)
        return (try await WAFixture.run(file, in: dir), file, dir)
    }

    @Test func deletedRowIsRecoveredAfterTheLiveMessages() async throws {
        let (findings, file, _) = try await Self.run("secure-off")
        let messages = findings.messages
        try #require(!messages.isEmpty)
        // Five live messages in rowid order, then the one recovered message.
        #expect(messages.map(\.nativeID) == ["3EB0D0000000000000A1", "3EB0D0000000000000A2", "3EB0D0000000000000A4",
                                             "3EB0D0000000000000A5", "3EB0D0000000000000A6", "3EB0D0000000000000A3"])
        #expect(messages.prefix(5).allSatisfy { $0.recovered == nil })
        let recovered = try #require(messages.last)
        let r = try #require(recovered.recovered)
        #expect(r.tableName == "message")
        #expect(r.duplicateOfLive == false)
        #expect(r.walFrame == nil)
        #expect(r.source == .freeblock)
        // The freeblock's 4-byte header overwrote the cell's length and rowid: the rowid (and so
        // the `_id` alias) is lost, every other column survived.
        #expect(r.rowid == nil)
        let expected = MessageRecord(
            chatKey: "chat0", sequence: 5, nativeID: "3EB0D0000000000000A3", senderName: "민지 Minji",
            senderNativeID: WAFixture.minji, fromDeviceOwner: false, sent: ms(Self.t0 + 120_000),
            text: "돈은 현금으로 가져와 bring the cash",
            extra: .object(["message_type": .number(0), "status": .number(0), "missing_columns": .array([.string("_id")])]),
            location: SourceLocation(record: "recovered message rowid unknown (freeblock, page \(r.page), cell offset \(r.cellOffset))"),
            recovered: r)
        #expect(r.values == [.missing, .integer(1), .integer(0), .text("3EB0D0000000000000A3"), .null, .integer(0), .integer(0),
                             .integer(0), .null, .null, .null, .integer(Self.t0 + 120_000), .integer(Self.t0 + 120_850), .null,
                             .integer(0), .text("돈은 현금으로 가져와 bring the cash"), .integer(0), .null, .null,
                             .integer(Self.t0 + 120_000)])
        #expect(recovered == expected)
        // The provenance leads back to the bytes: the text lies in the cell at that page and offset.
        let bytes = try Data(contentsOf: try #require(file.contentURL))
        let cell = (r.page - 1) * 1024 + r.cellOffset
        let window = bytes[cell..<min(bytes.count, cell + 200)]
        #expect(window.range(of: Data("bring the cash".utf8)) != nil)
        // The stale copy of row 1 (status 0 before it was marked read) is not repeated.
        let artifact = try #require(findings.artifacts.first { $0.type == "whatsapp.msgstore" })
        guard case .object(let props) = artifact.properties else { Issue.record("no properties"); return }
        #expect(props["messages_recovered"] == .number(1))
        #expect(props["recovered_copies_of_live"] == .number(1))
        #expect(props["recovered_too_damaged"] == .number(0))
        #expect(findings.warnings.isEmpty)
    }

    @Test func revokedThenVacuumedIsNotClaimed() async throws {
        let (findings, _, _) = try await Self.run("revoked-vacuumed")
        let messages = findings.messages
        try #require(!messages.isEmpty)
        #expect(messages.count == 6)
        #expect(messages.allSatisfy { $0.recovered == nil })
        let revoked = try #require(messages.first { $0.nativeID == "3EB0D0000000000000A3" })
        #expect(revoked.deleted && revoked.text.isEmpty)
        let artifact = try #require(findings.artifacts.first { $0.type == "whatsapp.msgstore" })
        guard case .object(let props) = artifact.properties else { Issue.record("no properties"); return }
        #expect(props["messages_recovered"] == nil)
    }

    /// Revoked but not VACUUMed: SQLite wrote the shorter, revoked row over the tail of the old
    /// cell (a new cell takes the end of the freed slot), so the old text is gone and no
    /// recovered message is made of what is left.
    @Test func revokedWithoutVacuumClaimsNoOverwrittenText() async throws {
        let (findings, _, _) = try await Self.run("revoked")
        let messages = findings.messages
        try #require(!messages.isEmpty)
        #expect(messages.count == 6)
        #expect(messages.allSatisfy { $0.recovered == nil })
        #expect(!messages.contains { $0.text.contains("bring the cash") })
        let revoked = try #require(messages.first { $0.nativeID == "3EB0D0000000000000A3" })
        #expect(revoked.deleted && revoked.text.isEmpty)
    }

    /// Odd deleted rows: one naming a chat row that does not exist, with a timestamp too large for
    /// Unix milliseconds, comes back under a placeholder chat with the live reader's warnings (raw
    /// time kept, no instant); one with an empty key id and no text is not made a message.
    @Test func oddDeletedRowsGiveWarningsNotInventions() async throws {
        let (findings, _, _) = try await Self.run("hostile")
        let messages = findings.messages
        try #require(!messages.isEmpty)
        #expect(messages.count == 7)
        let recovered = messages.filter { $0.recovered != nil }
        try #require(recovered.count == 1)
        let odd = recovered[0]
        #expect(odd.text == "이상한 행 odd row")
        #expect(odd.nativeID == "3EB0D0000000000000C1")
        #expect(odd.sent?.raw == "9000000000000000000")
        #expect(odd.sent?.utcMicros == nil)
        let placeholder = try #require(findings.chats.first { $0.chatKey == odd.chatKey })
        #expect(placeholder.notes == ["messages name chat row 99, which the database's chat tables do not hold"])
        let codes = Set(findings.warnings.map(\.code))
        #expect(codes.isSuperset(of: ["missing-chat", "time-out-of-range"]))
        let artifact = try #require(findings.artifacts.first { $0.type == "whatsapp.msgstore" })
        #expect(artifact.properties.objectValueForTest?["messages_recovered"] == .number(1))
        #expect(artifact.properties.objectValueForTest?["recovered_too_damaged"] == .number(1))
    }

    @Test func secureDeleteLeavesNothingToClaim() async throws {
        let (findings, _, _) = try await Self.run("secure-on")
        let messages = findings.messages
        try #require(!messages.isEmpty)
        #expect(messages.map(\.nativeID) == ["3EB0D0000000000000A1", "3EB0D0000000000000A2", "3EB0D0000000000000A4",
                                             "3EB0D0000000000000A5", "3EB0D0000000000000A6"])
        #expect(messages.allSatisfy { $0.recovered == nil })
    }

    /// The legacy schema: a deleted `messages` row comes back through the legacy mapping.
    @Test func aDeletedLegacyRowIsRecovered() async throws {
        let (findings, _, _) = try await Self.run("legacy-secure-off")
        let messages = findings.messages
        try #require(!messages.isEmpty)
        #expect(messages.map(\.nativeID) == ["LEGACY0000000000A001", "LEGACY0000000000A002", "LEGACY0000000000A003",
                                             "LEGACY0000000000A004", "LEGACY0000000000A005", "LEGACY0000000000B001",
                                             "LEGACY0000000000B002", "LEGACY0000000000B003", "LEGACY0000000000A007",
                                             "LEGACY0000000000A006"])
        #expect(messages.dropLast().allSatisfy { $0.recovered == nil })
        let recovered = try #require(messages.last)
        let r = try #require(recovered.recovered)
        #expect(r.tableName == "messages")
        #expect(r.source == .freeblock)
        #expect(recovered.text == "이 메시지는 지울게 deleting this one")
        #expect(recovered.chatKey == messages[0].chatKey)
        #expect(recovered.senderNativeID == WAFixture.minji)
        #expect(recovered.fromDeviceOwner == false)
        #expect(recovered.sent == ms(1_615_777_200_000 + 300_000))
        #expect(recovered.sequence == 9)
        #expect(recovered.location.record?.hasPrefix("recovered messages rowid ") == true)
        let artifact = try #require(findings.artifacts.first { $0.type == "whatsapp.msgstore" })
        #expect(artifact.properties.objectValueForTest?["messages_recovered"] == .number(1))
    }

    /// The existing fixtures (live rows, rows only in the -wal) gain no recovered message: the
    /// main file's pages the WAL supersedes hold only copies of live rows.
    /// Side tables (issue 13 item 2), WAL mode: the photo's live `message_media` row (an orphan,
    /// `message._id` being AUTOINCREMENT) and the reply's deleted `message_quoted` row (recovered
    /// from the same older page versions, its `message_row_id` intact) join the recovered messages.
    @Test func recoveredMessagesKeepTheirMediaAndQuote() async throws {
        let (findings, _, _) = try await Self.run("media-deleted")
        let messages = findings.messages
        try #require(!messages.isEmpty)
        #expect(messages.prefix(6).allSatisfy { $0.recovered == nil })
        let recovered = Array(messages.dropFirst(6))
        try #require(recovered.count == 2)
        #expect(recovered.map(\.nativeID) == ["3EB0D0000000000000A7", "3EB0D0000000000000A8"])
        let photo = recovered[0], reply = recovered[1]
        let rp = try #require(photo.recovered), rr = try #require(reply.recovered)
        #expect(rp.source == .wal && rr.source == .wal)
        #expect(rp.rowid == 7 && rr.rowid == 8)
        #expect(photo == MessageRecord(
            chatKey: "chat0", sequence: 6, nativeID: "3EB0D0000000000000A7", senderName: nil,  // no wa.db beside it
            senderNativeID: WAFixture.minji, fromDeviceOwner: false, sent: ms(Self.t0 + 360_000),
            text: "여기 사진 the seat map",
            attachments: [AttachmentRef(reference: "Media/WhatsApp Images/IMG-20240828-WA0007.jpg", resolvedPath: nil, kind: .photo,
                                        mimeType: "image/jpeg", size: 48213, width: 1280, height: 960,
                                        devicePaths: photo.attachments.first?.devicePaths ?? [])],
            extra: .object(["message_type": .number(1), "status": .number(0)]),
            location: SourceLocation(record: "recovered message rowid 7 (wal, page \(rp.page), cell offset \(rp.cellOffset))"),
            recovered: rp))
        #expect(photo.attachments.first?.devicePaths.isEmpty == false)
        #expect(reply == MessageRecord(
            chatKey: "chat0", sequence: 7, nativeID: "3EB0D0000000000000A8", senderName: nil,
            senderNativeID: reply.senderNativeID, fromDeviceOwner: true, sent: ms(Self.t0 + 420_000),
            text: "그 게이트 말고 다른 데 not that gate", replyToNativeID: "3EB0D0000000000000A2",
            extra: .object(["message_type": .number(0), "status": .number(13), "quoted_text": .string("7시에 3번 게이트 앞에서 Gate 3 at 7")]),
            location: SourceLocation(record: "recovered message rowid 8 (wal, page \(rr.page), cell offset \(rr.cellOffset))"),
            recovered: rr))
        #expect(findings.warnings.isEmpty, "\(findings.warnings)")
    }

    @Test func liveFixturesGainNoRecoveredMessage() async throws {
        for folder in ["current", "transitional", "legacy"] {
            let dir = try TestDirectory()
            let findings = try await WAFixture.run(try WAFixture.file(folder, in: dir), in: dir)
            try #require(!findings.messages.isEmpty)
            #expect(findings.messages.allSatisfy { $0.recovered == nil }, "\(folder)")
        }
    }
}

extension JSONValue {
    /// The members of an object, else nil (tests only).
    var objectValueForTest: [String: JSONValue]? { if case .object(let o) = self { return o } else { return nil } }
}

extension EvidenceFile {
    /// The private copy's path, for reading the bytes back in a test.
    var contentURL: URL? {
        if case .temporaryFile(let u) = content { return u }
        return nil
    }
}
