import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
@testable import TelegramDB

/// The main fixture (corpora/phone/telegram/cache4.db + cache4.db-wal, README there): every chat,
/// participant and the messages that carry each feature, as full records.
@Suite("Telegram Android cache4.db")
struct TelegramDBTests {
    static let t0: Int64 = 1_724_853_600  // 2024-08-28T14:00:00Z
    static let owner = "/data/data/org.telegram.messenger/files"
    static let dm = "dialog:100000002", group = "dialog:-200001", channel = "dialog:-1300000001"
    static let archived = "dialog:100000003", secret = "dialog:4611686018427394905"
    static let seoyeon = "서연 (Seoyeon)", minjun = "민준 Kim", jiwoo = "Jiwoo Park"

    static func chat(_ key: String, _ id: String?, _ title: String, _ type: String, _ notes: [String]) -> ChatInfo {
        ChatInfo(chatKey: key, platform: .telegram, format: .telegramAndroidDB, nativeID: id, title: title, chatType: type,
                 location: SourceLocation(record: "dialogs did \(key.dropFirst("dialog:".count))"), notes: notes, owner: owner)
    }

    @Test func chatsInDialogOrderWithNativeIDsAsDesktopExportsWriteThem() async throws {
        let run = try await TelegramFixtures.run(fixture: "cache4.db")
        #expect(run.chats == [
            Self.chat(Self.channel, "1300000001", "Daily 뉴스 Channel", "public_channel", ["dialog id -1300000001", "@daily_news_kr"]),
            Self.chat(Self.group, "200001", "서울 스터디 Seoul Study", "private_group", ["dialog id -200001"]),
            Self.chat(Self.dm, "100000002", Self.minjun, "personal_chat",
                      ["dialog id 100000002", "@minjun_kim", "phone +821055501002"]),
            Self.chat(Self.archived, "100000003", Self.jiwoo, "personal_chat",
                      ["dialog id 100000003", "phone +821055501003", "archived (dialogs.folder_id = 1)"]),
            Self.chat(Self.secret, nil, "Secret chat with 민준 Kim", "secret_chat",
                      ["dialog id 4611686018427394905",
                       "secret chat 7001 with user100000002, self-destruct timer 10 s, layer 144, active, created 2024-08-28T15:38:20Z"]),
        ])
        #expect(run.participants == [
            ParticipantInfo(chatKey: Self.channel, displayName: "Daily 뉴스 Channel", nativeID: "channel1300000001"),
            ParticipantInfo(chatKey: Self.group, displayName: Self.seoyeon, nativeID: "user100000001", isDeviceOwner: true),
            ParticipantInfo(chatKey: Self.group, displayName: "Old Friend", nativeID: "user55501"),
            ParticipantInfo(chatKey: Self.group, displayName: Self.jiwoo, nativeID: "user100000003"),
            ParticipantInfo(chatKey: Self.group, displayName: Self.minjun, nativeID: "user100000002"),
            ParticipantInfo(chatKey: Self.dm, displayName: Self.minjun, nativeID: "user100000002"),
            ParticipantInfo(chatKey: Self.dm, displayName: Self.seoyeon, nativeID: "user100000001", isDeviceOwner: true),
            ParticipantInfo(chatKey: Self.archived, displayName: Self.jiwoo, nativeID: "user100000003"),
            ParticipantInfo(chatKey: Self.archived, displayName: Self.seoyeon, nativeID: "user100000001", isDeviceOwner: true),
            ParticipantInfo(chatKey: Self.secret, displayName: Self.minjun, nativeID: "user100000002"),
        ])
        #expect(run.warnings.isEmpty)
    }

    @Test func streamOrderLinksEveryMessageToAnEarlierChatAndSender() async throws {
        let run = try await TelegramFixtures.run(fixture: "cache4.db")
        #expect(run.messages.count == 26)
        #expect(run.messages.map(\.sequence) == Array(0..<26))
        var chats = Set<String>(), senders = Set<String>()
        for f in run.findings {
            switch f {
            case .chat(let c): chats.insert(c.chatKey)
            case .participant(let p): #expect(chats.contains(p.chatKey)); senders.insert(p.chatKey + "|" + (p.nativeID ?? ""))
            case .message(let m):
                #expect(chats.contains(m.chatKey))
                if let s = m.senderNativeID { #expect(senders.contains(m.chatKey + "|" + s)) }
                #expect(m.location.record?.hasPrefix("messages_v2 rowid ") == true)
            default: break
            }
        }
        let users = run.artifacts.filter { $0.type == "telegram.user" }
        #expect(users.map(\.location?.record) == ["users uid 55501", "users uid 100000001", "users uid 100000002", "users uid 100000003"])
        #expect(users[1].properties == .object([
            "user_id": .string("100000001"), "display_name": .string("서연 (Seoyeon)"), "username": .string("seoyeon_k"),
            "phone": .string("821055501001"), "is_self": .bool(true), "is_bot": .bool(false)]))
        guard case .artifact(let a)? = run.findings.first else { Issue.record("artifact first"); return }
        #expect(a.type == "sqlite.database")
        guard case .object(let o) = a.properties else { Issue.record("properties"); return }
        #expect(o["wal_present"] == .bool(true) && o["app"] == .string("telegram-android"))
    }

    @Test func incomingPrivateMessageWithoutFromIDIsFromTheDialogPeer() async throws {
        let run = try await TelegramFixtures.run(fixture: "cache4.db")
        let first = try run.message(Self.dm, "1")
        #expect(first == MessageRecord(
            chatKey: Self.dm, sequence: 13, nativeID: "1", senderName: Self.minjun, senderNativeID: "user100000002",
            sent: TelegramFixtures.utc(Self.t0), text: "안녕 서연! Are we still meeting tomorrow? #study",
            entities: [TextEntity(type: "hashtag", text: "#study", offset: 38, length: 6)],
            extra: .object(["constructor": .string("0x94345242"), "dialog_id": .string("100000002")]),
            location: SourceLocation(record: "messages_v2 rowid 1")))
        let reply = try run.message(Self.dm, "2")
        #expect(reply == MessageRecord(
            chatKey: Self.dm, sequence: 14, nativeID: "2", senderName: Self.seoyeon, senderNativeID: "user100000001",
            fromDeviceOwner: true, sent: TelegramFixtures.utc(Self.t0 + 60), text: "Yes — 3pm at 강남역 https://example.org/map",
            entities: [TextEntity(type: "bold", text: "3pm", offset: 6, length: 3),
                       TextEntity(type: "link", text: "https://example.org/map", offset: 17, length: 23)],
            replyToNativeID: "1",
            extra: .object(["constructor": .string("0x94345242"), "dialog_id": .string("100000002")]),
            location: SourceLocation(record: "messages_v2 rowid 2")))
        let edited = try run.message(Self.dm, "4")
        #expect(edited.touched == TelegramFixtures.utc(Self.t0 + 240) && edited.text == "Got it, thanks (edited)")
        #expect(edited.senderNativeID == "user100000002" && !edited.fromDeviceOwner)
    }

    @Test func photoWithLocalPathUnderTelegramImages() async throws {
        let run = try await TelegramFixtures.run(fixture: "cache4.db")
        let path = "/storage/emulated/0/Telegram/Telegram Images/5402285916542734721_121.jpg"
        #expect(try run.message(Self.dm, "3") == MessageRecord(
            chatKey: Self.dm, sequence: 15, nativeID: "3", senderName: Self.seoyeon, senderNativeID: "user100000001",
            fromDeviceOwner: true, sent: TelegramFixtures.utc(Self.t0 + 120), text: "사진 보내요 📷",
            attachments: [AttachmentRef(reference: path, resolvedPath: nil, kind: .photo, mimeType: "image/jpeg", size: 183_204,
                                        width: 1280, height: 960,
                                        devicePaths: ["/data/media/0/Telegram/Telegram Images/5402285916542734721_121.jpg"])],
            extra: .object(["constructor": .string("0x94345242"), "dialog_id": .string("100000002"),
                            "media": .object(["type": .string("photo"), "constructor": .string("0x695150d7"),
                                              "photo_id": .string("5402285916542734721"), "mime_type": .string("image/jpeg"),
                                              "size": .number(183_204)])]),
            location: SourceLocation(record: "messages_v2 rowid 3")))
    }

    @Test func knownPictureSentAsFileFromTheCameraFolder() async throws {
        let run = try await TelegramFixtures.run(fixture: "cache4.db")
        let m = try run.message(Self.group, "25")
        #expect(m.attachments == [AttachmentRef(
            reference: "/storage/emulated/0/DCIM/Camera/IMG_20240828_151203.jpg", resolvedPath: nil, kind: .file,
            fileName: "IMG_20240828_151203.jpg", mimeType: "image/jpeg", size: 245_760, width: 4032, height: 3024,
            devicePaths: ["/data/media/0/DCIM/Camera/IMG_20240828_151203.jpg"])])
        #expect(m.senderNativeID == "user100000001" && m.fromDeviceOwner && m.text == "이거 봐 look")
        #expect(m.sent?.utcString == "2024-08-28T15:12:40Z")
    }

    @Test func albumForwardOlderConstructorAndChannelPosts() async throws {
        let run = try await TelegramFixtures.run(fixture: "cache4.db")
        let a1 = try run.message(Self.group, "23"), a2 = try run.message(Self.group, "24")
        guard case .object(let e1)? = a1.extra, case .object(let e2)? = a2.extra else { Issue.record("extra"); return }
        #expect(e1["grouped_id"] == .string("13579246801") && e2["grouped_id"] == .string("13579246801"))
        #expect(a2.attachments.first?.reference == nil && a2.attachments.first?.devicePaths == [])
        #expect(a2.attachments.first?.missingReason != nil)
        let fwd = try run.message(Self.group, "26")
        #expect(fwd == MessageRecord(
            chatKey: Self.group, sequence: 9, nativeID: "26", senderName: Self.minjun, senderNativeID: "user100000002",
            sent: TelegramFixtures.utc(Self.t0 + 4420), text: "Breaking: 뉴스 속보", forwardedFrom: "Daily 뉴스 Channel",
            forwardedFromNativeID: "channel1300000001",
            extra: .object(["constructor": .string("0x85d6cbe2"), "dialog_id": .string("-200001"),
                            "forward_date": .string("2024-08-28T13:00:00Z"), "forward_channel_post": .string("41")]),
            location: SourceLocation(record: "messages_v2 rowid 15")))
        let reacted = try run.message(Self.channel, "41")
        #expect(reacted == MessageRecord(
            chatKey: Self.channel, sequence: 1, nativeID: "41", senderName: "Daily 뉴스 Channel", senderNativeID: "channel1300000001",
            sent: TelegramFixtures.utc(Self.t0 - 3600), text: "Breaking: 뉴스 속보",
            reactions: [Reaction(type: "emoji", emoji: "👍", count: 12), Reaction(type: "emoji", emoji: "😮", count: 3)],
            extra: .object(["constructor": .string("0x38116ee0"), "dialog_id": .string("-1300000001"), "post": .bool(true),
                            "views": .number(980), "forwards": .number(0), "ttl_period": .number(604_800)]),
            location: SourceLocation(record: "messages_v2 rowid 19")))
        let old = try run.message(Self.group, "22")
        #expect(old == MessageRecord(
            chatKey: Self.group, sequence: 5, nativeID: "22", senderName: "Old Friend", senderNativeID: "user55501",
            sent: TelegramFixtures.utc(Self.t0 + 3120), text: "Hello from an old client 👋",
            extra: .object(["constructor": .string("0x58ae39c9"), "dialog_id": .string("-200001")]),
            location: SourceLocation(record: "messages_v2 rowid 11")))
        let post = try run.message(Self.channel, "40")
        #expect(post.senderNativeID == "channel1300000001" && post.authorSignature == "Editor Lee" && !post.fromDeviceOwner)
        let pdf = try run.message(Self.channel, "42")
        #expect(pdf.attachments.first?.devicePaths == ["/data/media/0/Telegram/Telegram Documents/report-2024-35.pdf"])
        #expect(pdf.attachments.first?.fileName == "report-2024-35.pdf" && pdf.attachments.first?.mimeType == "application/pdf")
        let pending = try run.message(Self.archived, "-210000")
        #expect(pending.attachments == [AttachmentRef(
            reference: "/storage/emulated/0/Telegram/Telegram Images/pending_210000.jpg", resolvedPath: nil, kind: .photo,
            mimeType: "image/jpeg", size: 183_204, width: 1280, height: 960,
            devicePaths: ["/data/media/0/Telegram/Telegram Images/pending_210000.jpg"])])
        guard case .object(let pe)? = pending.extra else { Issue.record("extra"); return }
        #expect(pe["attach_params"] == .object(["originalPath": .string("/storage/emulated/0/DCIM/Camera/IMG_20240828_160500.jpg")]))
        let voice = try run.message(Self.archived, "60")
        #expect(voice.attachments.first?.kind == .voice && voice.attachments.first?.durationSeconds == 7)
    }

    @Test(arguments: [
        (dialog: "dialog:100000002", mid: "5", action: "phone_call", actor: "user100000001",
         details: JSONValue.object(["call_id": .string("88001"), "discard_reason": .string("hangup"),
                                    "duration_seconds": .number(125), "is_video": .bool(false)])),
        ("dialog:100000002", "6", "screenshot_taken", "user100000002", .object([:])),
        ("dialog:100000002", "7", "set_messages_ttl", "user100000001", .object(["period_seconds": .number(86400)])),
        ("dialog:100000002", "8", "history_clear", "user100000002", .object([:])),
        ("dialog:-200001", "20", "create_group", "user100000001",
         .object(["title": .string("서울 스터디 Seoul Study"), "members": .array([.string("민준 Kim"), .string("Jiwoo Park")]),
                  "member_ids": .array([.string("user100000002"), .string("user100000003")])])),
        ("dialog:-200001", "21", "invite_members", "user100000001",
         .object(["members": .array([.string("Old Friend")]), "member_ids": .array([.string("user55501")])])),
        ("dialog:-200001", "27", "remove_members", "user100000001",
         .object(["members": .array([.string("Old Friend")]), "member_ids": .array([.string("user55501")])])),
        ("dialog:-200001", "28", "join_by_link", "user100000003",
         .object(["inviter": .string("서연 (Seoyeon)"), "inviter_id": .string("user100000001")])),
    ])
    func serviceActions(dialog: String, mid: String, action: String, actor: String, details: JSONValue) async throws {
        let run = try await TelegramFixtures.run(fixture: "cache4.db")
        let m = try run.message(dialog, mid)
        #expect(m.kind == .service && m.text == "")
        #expect(m.service?.action == action && m.service?.actorNativeID == actor && m.service?.details == details)
        #expect(m.senderNativeID == actor)
    }

    @Test func walOnlyRowsAreReadAndMissingWithoutTheWAL() async throws {
        let with = try await TelegramFixtures.run(fixture: "cache4.db")
        let wal = try with.message(Self.dm, "9")
        #expect(wal == MessageRecord(
            chatKey: Self.dm, sequence: 21, nativeID: "9", senderName: Self.minjun, senderNativeID: "user100000002",
            sent: TelegramFixtures.utc(Self.t0 + 7200), text: "WAL에만 있는 메시지 (WAL only)",
            extra: .object(["constructor": .string("0x94345242"), "dialog_id": .string("100000002")]),
            location: SourceLocation(record: "messages_v2 rowid 24")))
        #expect(try with.message(Self.group, "29").text == "last group message (WAL)")
        let last = try #require(with.messages.last)
        #expect(last.chatKey == Self.secret && last.text == "비밀 메시지 secret" && last.senderNativeID == "user100000002")
        let without = try await TelegramFixtures.run(fixture: "cache4.db", withWAL: false)
        #expect(without.messages.count == 23)
        #expect(!without.messages.contains { $0.text.contains("WAL") })
    }

    @Test func ownerIsTheAccountFolder() async throws {
        let src = TelegramFixtures.folder.appendingPathComponent("cache4.db")
        let second = try await TelegramFixtures.run(src, devicePath: "/data/user/10/org.telegram.messenger/files/account1/cache4.db")
        #expect(Set(second.chats.map(\.owner)) == ["/data/user/10/org.telegram.messenger/files/account1"])
        let loose = try await TelegramFixtures.run(src, devicePath: nil, virtualPath: "usb.zip!/copies/tg/cache4.db")
        #expect(Set(loose.chats.map(\.owner)) == ["usb.zip!/copies/tg"])
    }

    @Test func streamAndArrayGiveTheSameFindings() async throws {
        let dir = try TestDirectory("telegram-stream")
        defer { dir.remove() }
        let db = dir.url.appendingPathComponent("cache4.db")
        try FileManager.default.copyItem(at: TelegramFixtures.folder.appendingPathComponent("cache4.db"), to: db)
        let file = EvidenceFile(key: "k", virtualPath: "x!/cache4.db", size: 0, hashes: FileHashes(md5: "", sha1: "", sha256: ""),
                                mime: "application/vnd.sqlite3", content: .temporaryFile(db))
        let ctx = AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url)
        let array = try AnalyzerHarness.run(TelegramDBAnalyzer(), on: file, context: ctx, requireAcceptance: false).findings
        let box = FindingBox()
        try TelegramDBAnalyzer().analyze(file, context: ctx, into: CallbackSink(finding: { box.items.append($0) }))
        #expect(!array.isEmpty && array == box.items)
    }

    @Test func acceptsTheDeviceAndLoosePaths() {
        let a = TelegramDBAnalyzer().descriptor.accepts
        for dp in ["/data/data/org.telegram.messenger/files/cache4.db", "/data/data/org.telegram.messenger.web/files/account2/cache4.db",
                   "/data/user/10/org.telegram.messenger.beta/files/cache4.db", "/data/user/0/org.telegram.messenger/files/account1/cache4.db"] {
            #expect(a.matches(mime: "application/octet-stream", virtualPath: "e.tar!/x", devicePath: dp), "\(dp)")
        }
        #expect(a.matches(mime: "application/octet-stream", virtualPath: "e.zip!/copy/cache4.db"))
        #expect(!a.matches(mime: "application/octet-stream", virtualPath: "e.tar!/x", devicePath: "/data/data/com.whatsapp/files/cache4.db.bak"))
        #expect(a.companionNames(for: "cache4.db") == ["cache4.db-wal", "cache4.db-journal"])
        #expect(TelegramDBAnalyzer().descriptor.id == "telegram-db")
    }
}

/// Collects streamed findings (the sink runs synchronously inside the call).
final class FindingBox: @unchecked Sendable {
    // Safe: only touched by the synchronous sink and after the call returns, on one thread.
    var items: [Finding] = []
}
