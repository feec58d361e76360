import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
@testable import KakaoTalkDB

/// Hostile databases (corpora/phone/kakaotalk/hostile, README.md): each ends as recorded
/// warnings plus whatever could be read.
@Suite struct KakaoTalkBadInputTests {
    @Test func undecryptableValuesAreKeptWithTheirEncType() async throws {
        let dir = try TestDirectory("kakao-bad"); defer { dir.remove() }
        let findings = try await KakaoFixture.run(KakaoFixture.file("hostile/crypto.db", in: dir), in: dir)
        let msgs = findings.messages
        try #require(msgs.count == 11)
        func extra(_ i: Int) -> [String: JSONValue] { if case .object(let o)? = msgs[i].extra { return o }; return [:] }
        #expect(msgs.indices.map { extra($0)["decrypt_error"] } == [
            .string("not-base64"), .string("not-base64"), .string("wrong-length"), .string("invalid-utf8"), .string("bad-padding"),
            .string("unknown-enc"), .string("no-enc"), .string("no-enc"), nil, nil, nil,
        ])
        #expect(extra(0) == ["kakao_type": .n(1), "enc": .n(24), "undecrypted": .string("%%% not base64 %%%"), "decrypt_error": .string("not-base64")])
        #expect(extra(5)["enc"] == .n(31))
        #expect(extra(6)["enc"] == .null)
        #expect(msgs[0..<8].allSatisfy { $0.text == "" })
        #expect(msgs[8].text == "good row between bad ones")
        #expect(msgs[9].text == "enc given as true")
        #expect(extra(10)["attachment_text"] == .string("not json {") && msgs[10].attachments.isEmpty)

        #expect(findings.warnings.map(\.code) == [
            "kakaotalk2-missing", "kakaotalk-owner-unknown",
            "kakaotalk-attachment-not-json", "kakaotalk-bad-padding", "kakaotalk-invalid-utf8", "kakaotalk-no-enc",
            "kakaotalk-not-base64", "kakaotalk-unknown-enc", "kakaotalk-wrong-length",
        ])
        let byCode = Dictionary(findings.warnings.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byCode["kakaotalk-not-base64"]?.message ==
                "2 chat_logs.message values are not base64 (enc 24); kept raw with their enc type in the message's extra (undecrypted). First: chat_logs rowid 1")
        #expect(byCode["kakaotalk-unknown-enc"]?.message.contains("enc type(s) 31") == true)
        #expect(byCode["kakaotalk-no-enc"]?.message.hasPrefix("2 chat_logs.message values") == true)
    }

    @Test func missingTablesAndColumns() async throws {
        let dir = try TestDirectory("kakao-bad"); defer { dir.remove() }
        let findings = try await KakaoFixture.run(KakaoFixture.file("hostile/missing.db", in: dir), in: dir)
        #expect(findings.warnings.map(\.code) == ["kakaotalk2-missing", "kakaotalk-no-chat-rooms", "kakaotalk-owner-unknown",
                                                  "kakaotalk-missing-columns", "kakaotalk-no-enc"])
        #expect(findings.warnings[3].message.hasPrefix("chat_logs lacks column(s) attachment, deleted_at, v: read as empty"))
        let msgs = findings.messages
        try #require(msgs.count == 1)
        #expect(msgs[0].chatKey == "room:42" && msgs[0].text == "" && msgs[0].sent == TimeValue.unixSeconds(1_724_824_800))
        #expect(findings.chats.map(\.notes.last) == ["room not in chat_rooms: type, members and title unknown"])

        let dir2 = try TestDirectory("kakao-bad"); defer { dir2.remove() }
        let none = try await KakaoFixture.run(KakaoFixture.file("hostile/no-chat-logs.db", in: dir2), in: dir2)
        #expect(none.warnings.map(\.code) == ["kakaotalk2-missing", "kakaotalk-owner-unknown", "kakaotalk-no-chat-logs"])
        #expect(none.chats.map(\.chatKey) == ["room:1"] && none.messages.isEmpty)
    }

    @Test func nullsEverywhere() async throws {
        let dir = try TestDirectory("kakao-bad"); defer { dir.remove() }
        let findings = try await KakaoFixture.run(KakaoFixture.file("hostile/nulls.db", in: dir), in: dir)
        let msgs = findings.messages
        try #require(msgs.count == 2)
        #expect(msgs.map(\.chatKey) == ["room:none", "room:900"])
        #expect(msgs.allSatisfy { $0.text == "" && $0.sent == nil && $0.senderNativeID == nil && !$0.deleted })
        #expect(findings.chats.map(\.chatKey) == ["room:900", "room:none"])
        #expect(findings.warnings.map(\.code) == ["kakaotalk2-missing", "kakaotalk-owner-unknown", "kakaotalk-no-chat-id", "kakaotalk-room-no-id"])
    }

    @Test func zeroByteAndNotADatabase() async throws {
        let dir = try TestDirectory("kakao-bad"); defer { dir.remove() }
        await #expect { try await KakaoFixture.run(KakaoFixture.file("hostile/zero-byte.db", in: dir), in: dir) } throws: {
            ($0 as? AnalyzerError)?.code == "empty-database"
        }
        let dir2 = try TestDirectory("kakao-bad"); defer { dir2.remove() }
        await #expect { try await KakaoFixture.run(KakaoFixture.file("README.md", in: dir2), in: dir2) } throws: {
            ($0 as? AnalyzerError)?.code == "not-a-database"
        }
        // A KakaoTalk2.db that is zero bytes: a warning; messages still read.
        let dir3 = try TestDirectory("kakao-bad"); defer { dir3.remove() }
        let zero = dir3.url.appendingPathComponent("src"); try FileManager.default.createDirectory(at: zero, withIntermediateDirectories: true)
        try #require(FileManager.default.createFile(atPath: zero.appendingPathComponent("KakaoTalk2.db").path, contents: Data()))
        let findings = try await KakaoFixture.run(
            KakaoFixture.file("KakaoTalk.db", companions: ["KakaoTalk.db-wal", zero.appendingPathComponent("KakaoTalk2.db").path], in: dir3), in: dir3)
        #expect(findings.warnings.map(\.code) == ["kakaotalk2-unreadable"])
        #expect(findings.messages.count == 14)
    }

    /// A database of `KAKAOTALK_BIG_N` messages (default 100,000) made at test time by the
    /// generator; prints messages/s (no time assertion).
    @Test func bigDatabaseStreams() throws {
        let n = Int(ProcessInfo.processInfo.environment["KAKAOTALK_BIG_N"] ?? "") ?? 100_000
        let dir = try TestDirectory("kakao-big"); defer { dir.remove() }
        let gen = Corpus.url("phone/kakaotalk/make_kakaotalk.py").path
        let out = try Run.command("/usr/bin/env", ["python3", gen, "--big", String(n), dir.path("src")])
        try #require(out.exitCode == 0, "generator failed: \(out.stderr)")
        let file = try KakaoFixture.file(dir.path("src") + "/KakaoTalk.db", deviceFolder: nil, in: dir)
        var messages = 0, chats = 0, last = -1, ordered = true, warnings: [String] = [], owner = 0
        let start = Date()
        try KakaoTalkDBAnalyzer().analyze(file, context: AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url), into: CallbackSink(finding: { f in
            switch f {
            case .message(let m):
                messages += 1
                if m.sequence != last + 1 || m.text.isEmpty { ordered = false }
                last = m.sequence
                if m.fromDeviceOwner { owner += 1 }
            case .chat: chats += 1
            default: break
            }
        }, warning: { w in warnings.append(w.code) }))
        let seconds = Date().timeIntervalSince(start)
        print("kakaotalk-db: \(messages) messages in \(String(format: "%.2f", seconds)) s = \(Int(Double(messages) / max(seconds, 1e-6))) messages/s")
        #expect(messages == n && chats == 20 && ordered)
        #expect(owner > n / 20)   // ~10% of rows are the owner's, found by membership
        #expect(warnings == ["kakaotalk2-missing"])
    }
}

/// The account owner's id when its two sources disagree, and the analysis repeated.
@Suite struct KakaoTalkOwnerTests {
    @Test func openProfileWinsOverMembershipWithAWarning() async throws {
        let dir = try TestDirectory("kakao-owner"); defer { dir.remove() }
        let findings = try await KakaoFixture.run(
            KakaoFixture.file("hostile/conflict/KakaoTalk.db", companions: ["hostile/conflict/KakaoTalk2.db"], in: dir), in: dir)
        let note = "account owner's user id 999: from open_profile.user_id; chat membership suggests 281743059 instead"
        #expect(findings.warnings.map(\.code) == ["kakaotalk-owner-conflict"])
        #expect(findings.warnings.first?.message == note)
        #expect(findings.chats.map { $0.notes.first } == [note])
        let msgs = findings.messages
        try #require(msgs.count == 2)
        // Messages are keyed by their sender, so both still decrypt; neither is marked the owner's.
        #expect(msgs.map(\.text) == ["누구세요?", "저예요"])
        #expect(msgs.map(\.fromDeviceOwner) == [false, false])
    }

    @Test func sameInputSameFindings() async throws {
        let dir = try TestDirectory("kakao-det"); defer { dir.remove() }
        let a = try await KakaoFixture.run(KakaoFixture.file("KakaoTalk.db", companions: ["KakaoTalk.db-wal", "KakaoTalk2.db"], in: dir), in: dir)
        let dir2 = try TestDirectory("kakao-det"); defer { dir2.remove() }
        let b = try await KakaoFixture.run(KakaoFixture.file("KakaoTalk.db", companions: ["KakaoTalk.db-wal", "KakaoTalk2.db"], in: dir2), in: dir2)
        try #require(!a.isEmpty)
        #expect(a == b)
    }
}
