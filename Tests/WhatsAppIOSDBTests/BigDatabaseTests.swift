import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
import WhatsAppIOSDB

/// A 100,000-message ChatStorage.sqlite generated at test time (make_whatsapp_ios.py --big): every
/// message is streamed in Z_PK order with contiguous sequence numbers; the test keeps only the
/// first and last record.
@Suite struct IOSBigDatabaseTests {
    static let words = ["안녕", "사진", "영상", "내일", "만나", "hello", "photo", "see", "you", "ok", "ㅋㅋㅋ", "좋아"]

    /// What the generator writes for message `k` (make_whatsapp_ios.py make_big).
    static func expected(_ k: Int) -> MessageRecord {
        let text = (0..<(1 + k % 8)).map { words[(k + $0) % words.count] }.joined(separator: " ")
        let jid = String(format: "8210%08d@s.whatsapp.net", k % 20)
        let owner = k % 3 == 0
        return MessageRecord(chatKey: "chat\(k % 20)", sequence: k, nativeID: String(format: "BIG%017d", k),
                             senderName: nil, senderNativeID: owner ? nil : jid, fromDeviceOwner: owner,
                             sent: coreData(746_518_200 + Double(k)), text: text,
                             extra: .object(["message_type": .number(k % 97 == 0 ? 1 : 0)]),
                             location: SourceLocation(record: "ZWAMESSAGE Z_PK \(k + 1)"))
    }

    @Test func aHundredThousandMessagesStreamInOrder() throws {
        let dir = try TestDirectory("waios-big")
        defer { dir.remove() }
        let out = dir.url.appendingPathComponent("big")
        let script = Corpus.url("phone/whatsapp-ios/make_whatsapp_ios.py").path
        let gen = try Run.command("/usr/bin/env", ["python3", script, "--big", "100000", out.path])
        try #require(gen.exitCode == 0, "generator failed: \(gen.stderr)")
        let main = out.appendingPathComponent("ChatStorage.sqlite")
        let file = EvidenceFile(key: "big#1", virtualPath: "big/ChatStorage.sqlite", size: 0,
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/vnd.sqlite3",
                                content: .temporaryFile(main), devicePath: IOSFixture.ffsGroup + "ChatStorage.sqlite")
        var messages = 0, chats = 0, participants = 0, warnings: [AnalysisWarning] = []
        var first: MessageRecord?, last: MessageRecord?
        var inOrder = true
        let started = Date()
        try WhatsAppIOSDBAnalyzer().analyze(file, context: AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url), into: CallbackSink(finding: { finding in
            switch finding {
            case .message(let m):
                if m.sequence != messages { inOrder = false }
                if first == nil { first = m }
                last = m
                messages += 1
            case .chat: chats += 1
            case .participant: participants += 1
            default: break
            }
        }, warning: { w in warnings.append(w) }))
        print("whatsapp-ios-db: 100,000 messages in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        #expect(messages == 100_000)
        #expect(inOrder)
        #expect(chats == 20)
        #expect(participants == 40)  // the partner and the owner in each chat
        #expect(warnings.isEmpty)
        var f = Self.expected(0)
        f.attachments = [AttachmentRef(
            reference: "Media/821000000000@s.whatsapp.net/0/0/big0000000.jpg", resolvedPath: nil, kind: .photo,
            mimeType: "image/jpeg", size: 1000,
            devicePaths: [IOSFixture.ffsGroup + "Message/Media/821000000000@s.whatsapp.net/0/0/big0000000.jpg"])]
        #expect(first == f)
        #expect(last == Self.expected(99_999))
    }
}
