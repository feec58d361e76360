import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
import WhatsAppDB

/// A 100,000-message msgstore.db generated at test time (make_whatsapp.py --big): every message
/// is streamed, in rowid order, with contiguous sequence numbers; memory is not held by the
/// analyzer (the test keeps only the first and last record).
@Suite struct BigDatabaseTests {
    static let words = ["안녕", "사진", "영상", "내일", "만나", "hello", "photo", "see", "you", "ok", "ㅋㅋㅋ", "좋아"]
    static let t0: Int64 = 1_724_825_400_000

    /// What the generator writes for message `n` in a 1:1 chat or from the owner (see make_whatsapp.py build_big).
    static func expected(_ n: Int) -> MessageRecord {
        let text = (0..<(1 + n % 8)).map { words[(n + $0) % words.count] }.joined(separator: " ")
        return MessageRecord(chatKey: "chat\(n % 50)", sequence: n, nativeID: String(format: "BIG%017d", n),
                             fromDeviceOwner: n % 3 == 0, sent: ms(t0 + Int64(n) * 1000), text: text,
                             extra: .object(["message_type": .number(n % 97 == 0 ? 1 : 0)]),
                             location: SourceLocation(record: "message rowid \(n + 1)"))
    }

    @Test func aHundredThousandMessagesStreamInOrder() throws {
        let dir = try TestDirectory("wa-big")
        defer { dir.remove() }
        let out = dir.url.appendingPathComponent("big")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let script = Corpus.url("phone/whatsapp/make_whatsapp.py").path
        let gen = try Run.command("/usr/bin/env", ["python3", script, "--big", "100000", out.path])
        try #require(gen.exitCode == 0, "generator failed: \(gen.stderr)")
        let file = try WAFixture.copy(from: out, devicePath: WAFixture.devicePath, in: dir)

        var messages = 0, chats = 0, participants = 0, warnings: [AnalysisWarning] = []
        var first: MessageRecord?, last: MessageRecord?
        var inOrder = true
        try WhatsAppDBAnalyzer().analyze(file, context: AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url), into: CallbackSink(finding: { finding in
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
        #expect(messages == 100_000)
        #expect(inOrder)
        #expect(chats == 50)
        // 10 groups × 5 members, the owner in every chat, the other party of each of the 40 1:1 chats.
        #expect(participants == 50 + 50 + 40)
        #expect(warnings.isEmpty)
        var f = Self.expected(0)
        f.attachments = [AttachmentRef(
            reference: "Media/WhatsApp Images/IMG-20240828-WA00000.jpg", resolvedPath: nil, kind: .photo, mimeType: "image/jpeg",
            size: 1000, devicePaths: ["/data/media/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/IMG-20240828-WA00000.jpg",
                                      "/data/media/0/WhatsApp/Media/WhatsApp Images/IMG-20240828-WA00000.jpg"])]
        #expect(first == f)
        #expect(last == Self.expected(99_999))
    }
}
