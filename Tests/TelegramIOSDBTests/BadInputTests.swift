import AppDatabaseKit
import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
import TelegramIOSDB

/// The hostile fixtures (corpora/phone/telegram-ios/hostile): each ends as counted warnings plus
/// whatever could be read, or as the AnalyzerError AppDatabase gives for a file SQLite cannot read.
@Suite struct BadInputTests {
    static let minji: Int64 = 5_550_002, alex: Int64 = 5_550_003
    static let group: Int64 = (1 << 32) | 777_001
    static let t0: Int64 = 1_724_825_400

    static func run(_ folder: String) async throws -> AnalyzerOutput {
        let dir = try TestDirectory("tgios-\(folder)")
        defer { dir.remove() }
        return try await TGFixture.run(try TGFixture.file("hostile/\(folder)", in: dir), in: dir)
    }

    @Test func truncatedValuesKeepWhatWasReadAndNeverGuessText() async throws {
        let findings = try await Self.run("truncated")
        let m = findings.messages
        try #require(m.count == 5)
        let t0 = Self.t0
        // Cut inside the text: sender and time kept, text empty (never a prefix guessed).
        #expect(m[0] == MessageRecord(chatKey: "chat0", sequence: 0, nativeID: "1", senderName: "민지 Minji", senderNativeID: "5550002",
                                      sent: TGFixture.utc(t0), text: "", extra: TGFixture.extra(4),
                                      location: TGFixture.record(Self.minji, Int32(t0), 1)))
        // A text length of 1,000,000 past the end: the same.
        #expect(m[1].text == "" && m[1].senderNativeID == "5550002" && m[1].sent == TGFixture.utc(t0 + 1))
        #expect(m[2].text == "still fine 괜찮아" && m[2].nativeID == "4")
        // Cut inside the fixed header: only the key's facts (chat, time, id); no sender claimed.
        #expect(m[3] == MessageRecord(chatKey: "chat0", sequence: 3, nativeID: "6", sent: TGFixture.utc(t0 + 4), text: "",
                                      extra: TGFixture.extra(0), location: TGFixture.record(Self.minji, Int32(t0 + 4), 6)))
        // Alex's t2 value is cut: the peer is known by id only, no name is made up.
        #expect(m[4].text == "name cut" && m[4].senderNativeID == "5550003" && m[4].senderName == nil)
        #expect(findings.chats.map(\.title) == ["민지 Minji", nil])
        #expect(findings.warnings.map(\.code) == ["length-past-end", "bad-message-key", "truncated-value"])
        #expect(findings.warnings[0].message.hasPrefix("peer: "))
        #expect(findings.warnings[0].message.contains("3 times, first at t2 key 5550003"))
        #expect(findings.warnings[2].message.contains("once"))
    }

    @Test func unknownTypesAreNamedAndTheMessagesKept() async throws {
        let findings = try await Self.run("unknown-types")
        let m = findings.messages
        try #require(m.count == 9)
        #expect(m.map(\.text) == ["odd media 이상한 미디어", "a poll 투표", "", "deep 깊다", "missing media", "", "",
                                  "points nowhere", "odd t6 entry"])
        #expect(m[7].attachments.map(\.missingReason) == [
            "t6 says media 0:43 is stored with message 999 (namespace 0) of peer \(Self.group) at \(Self.t0), which does not hold it"])
        #expect(m[8].attachments.map(\.missingReason) == ["t6 entry of media 0:44 could not be decoded"])
        // A TEXT value: the key's facts only, no sender, not the owner's.
        #expect(m[6] == MessageRecord(chatKey: "chat0", sequence: 6, nativeID: "7", sent: TGFixture.utc(Self.t0 + 6), text: "",
                                      extra: TGFixture.extra(0), location: TGFixture.record(Self.group, Int32(Self.t0 + 6), 7)))
        #expect(m[0].attachments == [AttachmentRef(reference: nil, resolvedPath: nil, kind: .photo,
                                                   missingReason: "the photo names no cloud photo resource the analyzer can read")])
        #expect(m[1].attachments == [AttachmentRef(reference: nil, resolvedPath: nil, kind: .other,
                                                   missingReason: "media of type hash 0x\(String(UInt32(bitPattern: TGHash.poll), radix: 16)) is not decoded")])
        // Entry type 7: only the key's facts; no sender claimed.
        #expect(m[2].sent == TGFixture.utc(Self.t0 + 2) && m[2].senderNativeID == nil && !m[2].fromDeviceOwner)
        #expect(m[4].attachments == [AttachmentRef(reference: nil, resolvedPath: nil, kind: .other, missingReason: "media 0:42 is not in t6")])
        #expect(m[5].senderNativeID == "5550003")
        let codes = findings.warnings.map(\.code)
        #expect(codes == ["bad-message-key", "unknown-value-type", "unknown-media-type", "unknown-entry-type", "nesting-too-deep",
                          "missing-media", "text-not-utf8", "value-not-blob"])
        #expect(findings.warnings[0].location == SourceLocation(record: "t7 key 12345"))
        #expect(findings.warnings[1].message.contains("Postbox value type 42 (field \"zz\")"))
        #expect(findings.warnings[5].message.contains("2 times"))  // media 0:42 (no t6 entry), 0:43 (no such message)
        #expect(findings.warnings[1].message.contains("2 times"))  // field type 42, t6 entry type 9
    }

    @Test func missingTablesKeepTheMessagesWithoutNames() async throws {
        let findings = try await Self.run("missing-tables")
        let m = findings.messages
        try #require(m.count == 2)
        #expect(findings.chats == [ChatInfo(chatKey: "chat0", platform: .telegram, format: .telegramIOSDB, nativeID: "5550002",
                                            location: TGFixture.record(Self.minji, Int32(Self.t0), 1),
                                            notes: ["peer 5550002 is not in t2"], owner: TGFixture.account)])
        #expect(m[0].text == "no peers table 피어 없음" && m[0].senderNativeID == "5550002" && m[0].senderName == nil)
        #expect(m[1].fromDeviceOwner && m[1].senderNativeID == "5550001")
        #expect(m[1].attachments.map(\.missingReason) == ["media 0:5012345678901234567 is not in t6"])
        #expect(findings.warnings.map(\.code) == ["missing-table", "missing-media"])
    }

    @Test func zeroByteFileIsAnAnalyzerError() async throws {
        await #expect(throws: AnalyzerError.self) { _ = try await Self.run("empty") }
    }
}

/// Hashes the tests need, as the fixture generator's own MurmurHash3 (x86-32, seed 0xF7CA7FD2)
/// computes them: `type_hash("TelegramMediaPoll")`.
enum TGHash {
    static let poll: Int32 = -165_764_138
}
