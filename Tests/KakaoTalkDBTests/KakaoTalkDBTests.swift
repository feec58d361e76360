import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
@testable import KakaoTalkDB

/// The synthetic phone's KakaoTalk databases (corpora/phone/kakaotalk/README.md), read whole.
@Suite struct KakaoTalkDBTests {
    static let owner = "281743059", minjun = "318204417", jiwoo = "402251873", daniel = "153378562"
    static let baram = "7758123401234", trader = "9012345678901"
    static let direct = "room:18412345678901", group = "room:18498765432100", open = "room:18555500011122"
    static let pictureSHA1 = "2c9b05497b4b0297951db026be049347390dd6be"
    static let ownerNote = "account owner's user id 281743059: from open_profile.user_id; chat membership agrees"
    static let allCompanions = ["KakaoTalk.db-wal", "KakaoTalk2.db"]

    static func t(_ s: Int64) -> TimeValue { TimeValue.unixSeconds(s) }

    @Test func descriptorAcceptsTheDeviceAndVirtualPaths() {
        let a = KakaoTalkDBAnalyzer().descriptor
        #expect(a.id == "kakaotalk-db")
        #expect(a.accepts.matches(mime: "application/octet-stream", virtualPath: "x.tar!/y", devicePath: "/data/data/com.kakao.talk/databases/KakaoTalk.db"))
        #expect(a.accepts.matches(mime: "application/octet-stream", virtualPath: "x.tar!/y", devicePath: "/data/user/10/com.kakao.talk/databases/KakaoTalk.db"))
        #expect(a.accepts.matches(mime: "application/octet-stream", virtualPath: "dump.zip!/a/b/KakaoTalk.db"))
        #expect(!a.accepts.matches(mime: "application/octet-stream", virtualPath: "dump.zip!/a/b/KakaoTalk2.db"))
        #expect(a.accepts.companionNames(for: "KakaoTalk.db") == ["KakaoTalk.db-wal", "KakaoTalk.db-journal", "KakaoTalk2.db",
                                                                   "KakaoTalk2.db-wal", "KakaoTalk2.db-journal"])
    }

    @Test func chatsParticipantsAndOrder() async throws {
        let dir = try TestDirectory("kakao"); defer { dir.remove() }
        let findings = try await KakaoFixture.run(KakaoFixture.file("KakaoTalk.db", companions: Self.allCompanions, in: dir), in: dir)
        try #require(!findings.isEmpty)
        #expect(findings.warnings == [])
        let types = findings.artifacts.map(\.type)
        #expect(types == ["sqlite.database", "sqlite.database", "kakaotalk.account",
                          "kakaotalk.chat_room", "kakaotalk.chat_room", "kakaotalk.chat_room"])
        guard case .object(let db) = findings.artifacts[0].properties, case .object(let account) = findings.artifacts[2].properties else {
            Issue.record("artifact properties are not objects"); return
        }
        #expect(db["wal_present"] == .bool(true))
        #expect(account["user_id"] == .string(Self.owner))
        #expect(account["method"] == .string("open_profile"))
        #expect(account["membership_candidates"] == .array([.object(["user_id": .string(Self.owner), "rooms": .n(3)])]))

        let notes = [Self.ownerNote]
        let location = { (n: Int) in SourceLocation(record: "chat_rooms rowid \(n)") }
        #expect(findings.chats == [
            ChatInfo(chatKey: Self.direct, platform: .kakaotalk, format: .kakaoTalkAndroidDB, nativeID: "18412345678901",
                     title: "민준", chatType: "DirectChat", location: location(1),
                     notes: notes + ["title made from the member names (the database stores no room name)"], owner: "/data/data/com.kakao.talk"),
            ChatInfo(chatKey: Self.group, platform: .kakaotalk, format: .kakaoTalkAndroidDB, nativeID: "18498765432100",
                     title: "민준, 지우, Daniel Park", chatType: "MultiChat", location: location(2),
                     notes: notes + ["title made from the member names (the database stores no room name)"], owner: "/data/data/com.kakao.talk"),
            ChatInfo(chatKey: Self.open, platform: .kakaotalk, format: .kakaoTalkAndroidDB, nativeID: "18555500011122",
                     title: "중고거래 직거래 방 (Seoul)", chatType: "OM", location: location(3), notes: notes, owner: "/data/data/com.kakao.talk"),
        ])
        #expect(findings.participants == [
            ParticipantInfo(chatKey: Self.direct, displayName: nil, nativeID: Self.owner, isDeviceOwner: true),
            ParticipantInfo(chatKey: Self.direct, displayName: "민준", nativeID: Self.minjun),
            ParticipantInfo(chatKey: Self.group, displayName: nil, nativeID: Self.owner, isDeviceOwner: true),
            ParticipantInfo(chatKey: Self.group, displayName: "민준", nativeID: Self.minjun),
            ParticipantInfo(chatKey: Self.group, displayName: "지우", nativeID: Self.jiwoo),
            ParticipantInfo(chatKey: Self.group, displayName: "Daniel Park", nativeID: Self.daniel),
            ParticipantInfo(chatKey: Self.open, displayName: "서연", nativeID: Self.owner, isDeviceOwner: true),
            ParticipantInfo(chatKey: Self.open, displayName: "바람돌이", nativeID: Self.baram),
            ParticipantInfo(chatKey: Self.open, displayName: "Trader_K", nativeID: Self.trader),
        ])
        // The room artifact carries last_message decrypted with the owner's id.
        guard case .object(let room) = findings.artifacts[5].properties else { Issue.record("room artifact"); return }
        #expect(room["last_message"] == .string("50만원이요"))
        #expect(room["link_id"] == .string("330012345"))
        // Linking rule: a chat before anything naming it, a participant before its first message.
        var seenChats: Set<String> = [], seenPeople: Set<String> = []
        for f in findings {
            switch f {
            case .chat(let c): seenChats.insert(c.chatKey)
            case .participant(let p): #expect(seenChats.contains(p.chatKey)); seenPeople.insert("\(p.chatKey)|\(p.nativeID ?? "")")
            case .message(let m):
                #expect(seenChats.contains(m.chatKey))
                #expect(seenPeople.contains("\(m.chatKey)|\(m.senderNativeID ?? "")"))
            default: break
            }
        }
    }

    @Test func messagesFullRecords() async throws {
        let dir = try TestDirectory("kakao"); defer { dir.remove() }
        let msgs = try await KakaoFixture.run(KakaoFixture.file("KakaoTalk.db", companions: Self.allCompanions, in: dir), in: dir).messages
        try #require(msgs.count == 14)
        #expect(msgs.map(\.sequence) == Array(0..<14))
        #expect(msgs.map(\.text) == [
            "서연아 내일 시간 돼?", "응 오후에 괜찮아 🙂",
            #"{"feedType": 1, "members": [{"userId": 153378562, "nickName": "Daniel Park"}], "inviter": {"userId": 281743059}}"#,
            "주말 등산 어디로 갈까? 북한산 어때", "", "Sounds good! See you at 9", "방금 보낸 거 지워줘",
            "아이폰 15 팝니다 (미개봉)", "price?", "계약서_final.pdf", "얼마에요?", "50만원이요",
            "WAL에만 있는 메시지: 3시에 역 앞에서", "응 내일 봐",
        ])
        #expect(msgs.map { $0.senderName ?? "-" } == ["민준", "-", "-", "지우", "-", "Daniel Park", "민준", "바람돌이", "Trader_K", "바람돌이", "서연", "바람돌이", "민준", "-"])
        #expect(msgs.map(\.sent?.utcString) == [0, 2, 5, 7, 20, 25, 30, 40, 41, 43, 45, 47, 50, 52].map {
            Optional(UTCFormat.string(micros: (1_724_824_800 + Int64($0) * 60) * 1_000_000))
        })
        #expect(msgs.allSatisfy { $0.sent?.basis == .utc && $0.sent?.precision == .second })

        let t0: Int64 = 1_724_824_800
        #expect(msgs[0] == MessageRecord(
            chatKey: Self.direct, sequence: 0, nativeID: "9000000001", kind: .message, senderName: "민준",
            senderNativeID: Self.minjun, fromDeviceOwner: false, sent: Self.t(t0), text: "서연아 내일 시간 돼?",
            extra: .object(["kakao_type": .n(1), "enc": .n(24)]), location: SourceLocation(record: "chat_logs rowid 1")))
        #expect(msgs[2].kind == .system && msgs[2].fromDeviceOwner)
        let photo = AttachmentRef(reference: "kakaot1/aQz93kLmN2pX/IMG_20240828_151203.jpg", resolvedPath: nil, kind: .photo,
                                  mimeType: "image/jpeg", size: 8037, width: 320, height: 240, sha1: Self.pictureSHA1)
        #expect(msgs[4] == MessageRecord(
            chatKey: Self.group, sequence: 4, nativeID: "9000000005", kind: .message, senderName: nil,
            senderNativeID: Self.owner, fromDeviceOwner: true, sent: Self.t(t0 + 20 * 60), text: "", attachments: [photo],
            extra: .object(["kakao_type": .n(2), "enc": .n(24), "attachment": .object([
                "k": .string("kakaot1/aQz93kLmN2pX/IMG_20240828_151203.jpg"), "cs": .string(Self.pictureSHA1),
                "s": .n(8037), "w": .n(320), "h": .n(240), "mt": .string("image/jpeg")])]),
            location: SourceLocation(record: "chat_logs rowid 5")))
        #expect(msgs[6] == MessageRecord(
            chatKey: Self.direct, sequence: 6, nativeID: "9000000007", kind: .message, senderName: "민준",
            senderNativeID: Self.minjun, sent: Self.t(t0 + 30 * 60), text: "방금 보낸 거 지워줘", deleted: true,
            extra: .object(["kakao_type": .n(16385), "enc": .n(24), "deleted_at": .n(t0 + 31 * 60)]),
            location: SourceLocation(record: "chat_logs rowid 7")))
        #expect(msgs[9].attachments == [AttachmentRef(reference: "kakaot1/f7Rq2/contract.pdf", resolvedPath: nil, kind: .file,
                                                      fileName: "계약서_final.pdf", size: 48213,
                                                      sha1: "5d41402abc4b2a76b9719d911017c592ae1b2f0c")])
        #expect(msgs[10] == MessageRecord(
            chatKey: Self.open, sequence: 10, nativeID: "9000000011", kind: .message, senderName: "서연",
            senderNativeID: Self.owner, fromDeviceOwner: true, sent: Self.t(t0 + 45 * 60), text: "얼마에요?",
            extra: .object(["kakao_type": .n(1), "enc": .n(26)]), location: SourceLocation(record: "chat_logs rowid 11")))
        #expect(msgs[11] == MessageRecord(
            chatKey: Self.open, sequence: 11, nativeID: "9000000012", kind: .message, senderName: "바람돌이",
            senderNativeID: Self.baram, sent: Self.t(t0 + 47 * 60), text: "50만원이요", replyToNativeID: "9000000011",
            extra: .object(["kakao_type": .n(26), "enc": .n(26), "attachment": .object([
                "src_logId": .n(9000000011), "src_userId": .n(281743059), "src_message": .string("얼마에요?"), "src_type": .n(1)])]),
            location: SourceLocation(record: "chat_logs rowid 12")))
        // The two newest rows exist only in the WAL.
        #expect(msgs[13] == MessageRecord(
            chatKey: Self.direct, sequence: 13, nativeID: "9000000014", kind: .message, senderName: nil,
            senderNativeID: Self.owner, fromDeviceOwner: true, sent: Self.t(t0 + 52 * 60), text: "응 내일 봐",
            extra: .object(["kakao_type": .n(1), "enc": .n(24)]), location: SourceLocation(record: "chat_logs rowid 14")))
        #expect(msgs.filter(\.deleted).map(\.sequence) == [6])
    }

    @Test func walRowsNeedTheWal() async throws {
        let dir = try TestDirectory("kakao"); defer { dir.remove() }
        let findings = try await KakaoFixture.run(KakaoFixture.file("KakaoTalk.db", companions: ["KakaoTalk2.db"], in: dir), in: dir)
        #expect(findings.messages.count == 12)
        #expect(!findings.messages.contains { $0.text.hasPrefix("WAL에만") })
    }

    @Test func secondaryUserAndNoDevicePathOwners() async throws {
        let dir = try TestDirectory("kakao"); defer { dir.remove() }
        let work = try KakaoFixture.file("KakaoTalk.db", companions: Self.allCompanions,
                                         deviceFolder: "/data/user/10/com.kakao.talk/databases", in: dir)
        #expect(try await KakaoFixture.run(work, in: dir).chats.map(\.owner) == Array(repeating: "/data/user/10/com.kakao.talk", count: 3))
        let dir2 = try TestDirectory("kakao"); defer { dir2.remove() }
        let bare = try KakaoFixture.file("KakaoTalk.db", companions: Self.allCompanions, deviceFolder: nil, in: dir2)
        #expect(try await KakaoFixture.run(bare, in: dir2).chats.map(\.owner) == Array(repeating: "phone.tar!/userdata/data/com.kakao.talk", count: 3))
    }

    @Test func withoutKakaoTalk2TheOwnerComesFromMembership() async throws {
        let dir = try TestDirectory("kakao"); defer { dir.remove() }
        let findings = try await KakaoFixture.run(KakaoFixture.file("KakaoTalk.db", companions: ["KakaoTalk.db-wal"], in: dir), in: dir)
        #expect(findings.warnings.map(\.code) == ["kakaotalk2-missing"])
        let note = "account owner's user id 281743059: the sender outside the room member lists in 3 room(s) (no open_profile row)"
        #expect(findings.chats.map(\.title) == ["318204417", "318204417, 402251873, 153378562", nil])
        #expect(findings.chats.map { $0.notes.first } == [note, note, note])
        #expect(findings.chats[2].notes.last == "open chat 330012345: no open_link row, title unknown")
        // Messages still decrypt (each with its sender's id); only the names are missing.
        let msgs = findings.messages
        #expect(msgs.count == 14 && msgs.allSatisfy { $0.senderName == nil })
        #expect(msgs[10].text == "얼마에요?" && msgs[10].fromDeviceOwner)
    }

    @Test func publishedVectorsAsDatabaseRows() async throws {
        let dir = try TestDirectory("kakao"); defer { dir.remove() }
        let msgs = try await KakaoFixture.run(KakaoFixture.file("vectors.db", in: dir), in: dir).messages
        try #require(!msgs.isEmpty)
        #expect(msgs.map(\.text) == KakaoTalkCryptoTests.vectors.map(\.3))
        #expect(msgs.map(\.senderNativeID) == KakaoTalkCryptoTests.vectors.map { String($0.0) })
    }
}
