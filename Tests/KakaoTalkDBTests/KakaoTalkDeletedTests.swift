import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
@testable import KakaoTalkDB

/// A KakaoTalk message deleted from `chat_logs` with secure_delete off
/// (corpora/phone/kakaotalk/deleted, made by make_kakaotalk_deleted.py) comes back as a message
/// marked recovered: its encrypted text decrypted with the same key logic as live rows (the
/// sender's user id and the enc type of its `v`), after the live messages.
@Suite struct KakaoTalkDeletedTests {
    static let t0: Int64 = 1_724_824_800

    @Test func aDeletedLogIsRecoveredAndDecrypted() async throws {
        let dir = try TestDirectory()
        let file = try KakaoFixture.file("deleted/KakaoTalk.db", companions: ["deleted/KakaoTalk2.db"], in: dir)
        let findings = try await KakaoFixture.run(file, in: dir)
        let messages = findings.messages
        try #require(!messages.isEmpty)
        #expect(messages.map(\.nativeID) == ["9000000101", "9000000102", "9000000104", "9000000103"])
        #expect(messages.prefix(3).allSatisfy { $0.recovered == nil })
        let recovered = try #require(messages.last)
        let r = try #require(recovered.recovered)
        #expect(r.tableName == "chat_logs")
        #expect(r.duplicateOfLive == false)
        #expect(r.source == .freeblock)
        #expect(recovered.text == "현금으로 가져와 bring the cash")
        #expect(recovered.chatKey == messages[0].chatKey)
        #expect(recovered.senderNativeID == "318204417")
        #expect(recovered.senderName == messages[0].senderName)
        #expect(recovered.senderName == "민준")
        #expect(recovered.sent?.utcMicros == (Self.t0 + 240) * 1_000_000)
        #expect(recovered.sent?.raw == String(Self.t0 + 240))
        #expect(recovered.sequence == 3)
        let place = "recovered chat_logs rowid \(r.rowid.map(String.init) ?? "unknown") (freeblock, page \(r.page), cell offset \(r.cellOffset))"
        #expect(recovered.location == SourceLocation(record: place))
        let counts = try #require(findings.artifacts.first { $0.type == "kakaotalk.recovered-messages" })
        #expect(counts.properties == .object(["messages_recovered": .number(1), "recovered_copies_of_live": .number(0),
                                              "recovered_too_damaged": .number(0)]))
    }

    /// The committed main fixture gains no recovered message.
    @Test func theMainFixtureGainsNoRecoveredMessage() async throws {
        let dir = try TestDirectory()
        let file = try KakaoFixture.file("KakaoTalk.db", companions: ["KakaoTalk.db-wal", "KakaoTalk2.db"], in: dir)
        let findings = try await KakaoFixture.run(file, in: dir)
        try #require(!findings.messages.isEmpty)
        #expect(findings.messages.allSatisfy { $0.recovered == nil })
    }
}
