import Foundation
import Testing
import ExhibitKit
import ExhibitTesting
@testable import ChatExport

/// The same chat exported by tdesktop as JSON and as HTML must read the same.
@Suite("Telegram JSON-HTML pair Time")
struct TelegramPairTimeTests {
    @Test func jsonAndHTMLGiveTheSameMessages() async throws {
        let json = Split(try await ChatFixtures.run("telegram/pair/result.json").found).messages
        let html = try await Split(ChatFixtures.run("telegram/pair/messages.html").found).messages
            + Split(ChatFixtures.run("telegram/pair/messages2.html").found).messages
        try #require(json.count == html.count)
        for (j, h) in zip(json, html) {
            let id = j.nativeID ?? "?"
            #expect(j.nativeID == h.nativeID, "order at \(id)")
            #expect(j.kind == h.kind, "kind of \(id)")
            #expect(j.senderName == h.senderName, "sender of \(id)")
            #expect(j.text == h.text, "text of \(id)")
            #expect(j.replyToNativeID == h.replyToNativeID, "reply of \(id)")
            #expect(j.forwardedFrom == h.forwardedFrom, "forward of \(id)")
            #expect(j.viaBot == h.viaBot, "via of \(id)")
            #expect(j.service?.action == h.service?.action, "action of \(id)")
            #expect(j.attachments.map(\.resolvedPath) == h.attachments.map(\.resolvedPath), "attachments of \(id)")
            #expect(j.attachments.map(\.kind) == h.attachments.map(\.kind), "attachment kinds of \(id)")
            #expect(j.attachments.map { $0.missingReason != nil } == h.attachments.map { $0.missingReason != nil }, "missing of \(id)")
            if let a = j.sent?.utcMicros, let b = h.sent?.utcMicros { #expect(a == b, "instant of \(id)") }
        }
        // The HTML time says where it comes from and why it may be off.
        #expect(html.first?.sent?.basis == .offset)
        #expect(html.first?.sent?.note?.contains("standard UTC offset") == true)
    }

    @Test func htmlWithoutOffsetIsNaiveLocalTime() {
        let seoul = TimeZone(identifier: "Asia/Seoul")
        let t = TelegramHTMLMessage.time("28.08.2024 15:12:03", zone: seoul)
        #expect(t.basis == .assumedZone)
        #expect(t.utcString == "2024-08-28T06:12:03Z")
        let unknown = TelegramHTMLMessage.time("28.08.2024 15:12:03", zone: nil)
        #expect(unknown.basis == .unknown && unknown.utcMicros == nil)
        let dst = TelegramHTMLMessage.time("01.07.2024 12:00:00 UTC-05:00", zone: nil)
        #expect(dst.utcString == "2024-07-01T17:00:00Z" && dst.basis == .offset)
    }
}

/// The committed sample case (corpora/sample-case): its Telegram, WhatsApp and KakaoTalk exports,
/// read out of the real archives with unzip/tar.
@Suite("Sample case chats Time")
struct SampleCaseTimeTests {
    static func member(_ archive: String, _ path: String) throws -> Data {
        let a = Corpus.url("sample-case/\(archive)").path
        let cmd = archive.hasSuffix(".zip") ? "unzip -p '\(a)' '\(path)'" : "tar -xzOf '\(a)' '\(path)'"
        let r = try Run.shell(cmd)
        return Data(r.stdout.utf8)
    }

    static func run(_ archive: String, _ path: String) async throws -> Split {
        let data = try member(archive, path)
        let file = EvidenceFile(key: "s", virtualPath: "\(archive)!/\(path)", size: Int64(data.count),
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "text/plain", content: .memory(data))
        let ctx = AnalysisContext(assumedZone: TimeZone(identifier: "Asia/Seoul"), temporaryDirectory: FileManager.default.temporaryDirectory)
        return Split(try AnalyzerHarness.run(ChatExportAnalyzer(), on: file, context: ctx))
    }

    @Test func telegramJSON() async throws {
        let s = try await Self.run("pc-export.tar.gz", "Telegram Desktop/ChatExport_2024-08-30/result.json")
        #expect(s.chats.map(\.nativeID) == ["5550001234"])
        #expect(s.messages.map(\.nativeID) == ["101", "102", "103", "104", "105", "106", "107"])
        #expect(s.messages[1].sent?.utcString == "2024-08-28T06:12:03Z")
        #expect(s.messages[1].attachments.first?.resolvedPath == "pc-export.tar.gz!/Telegram Desktop/ChatExport_2024-08-30/photos/photo_1@28-08-2024_15-12-03.jpg")
        #expect(s.messages[2].replyToNativeID == "102")
        #expect(s.messages[3].service?.action == "phone_call")
        #expect(s.messages[4].touched != nil)
        #expect(s.messages[5].forwardedFrom == "Concert News")
        #expect(s.messages[6].attachments.first?.missingReason?.hasPrefix("(File not included") == true)
        #expect(s.warnings.isEmpty)
    }

    @Test func whatsAppAndroid() async throws {
        let s = try await Self.run("phone-dump.zip", "sdcard/Download/WhatsApp Chat with Minji/WhatsApp Chat with Minji.txt")
        #expect(s.chats.first?.dateOrder?.order == .monthDayYear && s.chats.first?.dateOrder?.proven == true)
        #expect(s.messages.first?.kind == .system)
        let photo = s.messages.first { !$0.attachments.isEmpty }
        #expect(photo?.sent?.utcString == "2024-08-28T06:12:00Z")
        #expect(photo?.attachments.first?.resolvedPath == "phone-dump.zip!/sdcard/Download/WhatsApp Chat with Minji/IMG-20240828-WA0001.jpg")
        #expect(s.messages.contains { $0.deleted } && s.messages.contains { $0.editedMarker })
        #expect(s.messages.contains { $0.text.contains("\n") })
    }

    @Test func kakaoTalkAndroid() async throws {
        let s = try await Self.run("phone-dump.zip", "sdcard/Download/KakaoTalk/KakaoTalkChats.txt")
        #expect(s.chats.first?.format == .kakaoTalkAndroid)
        #expect(s.chats.first?.exportingUserPlaceholder == "회원님")
        #expect(s.participants.contains { $0.displayName == "회원님" && $0.isDeviceOwner })
        #expect(s.messages.contains { $0.deleted })
        #expect(s.messages.contains { $0.attachments.first?.fileName == "계약서_최종.txt" })
        #expect(s.messages.contains { $0.attachments.first?.kind == .photo && $0.fromDeviceOwner })
        #expect(!s.messages.isEmpty && s.messages.allSatisfy { $0.sent?.basis == .assumedZone })
    }
}

/// Hostile and large inputs built in memory: no crash, bounded work, a warning where it applies.
@Suite("Chat hostile input")
struct ChatHostileTests {
    static func run(_ data: Data, path: String = "e.zip!/WhatsApp Chat with X.txt") async throws -> Split {
        let file = EvidenceFile(key: "h", virtualPath: path, size: Int64(data.count),
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "text/plain", content: .memory(data))
        let ctx = AnalysisContext(assumedZone: TimeZone(identifier: "UTC"), temporaryDirectory: FileManager.default.temporaryDirectory)
        return Split(try AnalyzerHarness.run(ChatExportAnalyzer(), on: file, context: ctx, requireAcceptance: false))
    }

    @Test func hundredThousandLines() async throws {
        var s = ""
        for i in 0..<100_000 { s += "28/08/2024, \(String(format: "%02d:%02d", (i / 60) % 24, i % 60)) - P\(i % 7): message \(i)\n" }
        let r = try await Self.run(Data(s.utf8))
        #expect(r.messages.count == 100_000)
        #expect(r.messages.last?.text == "message 99999")
        #expect(r.participants.count == 7)
    }

    @Test func oneMegabyteLine() async throws {
        let long = String(repeating: "가", count: 350_000)  // ~1 MB of UTF-8
        let s = "28/08/2024, 15:00 - A: short\n28/08/2024, 15:01 - B: \(long)\n28/08/2024, 15:02 - A: after\n"
        let r = try await Self.run(Data(s.utf8))
        #expect(r.messages.map(\.text.count) == [5, 350_000, 5])
    }

    @Test func lineSplitterHandlesEveryTerminatorAcrossChunks() {
        let text = Array("a\r\nb\rc\nd".utf8)
        for cut in 0...text.count {
            var lines: [String] = []
            var sp = LineSplitter(maxLineBytes: 3)
            text[..<cut].withUnsafeBytes { _ = sp.feed($0) { lines.append($0.string); return true } }
            text[cut...].withUnsafeBytes { _ = sp.feed($0) { lines.append($0.string); return true } }
            sp.finish { lines.append($0.string); return true }
            #expect(lines == ["a", "b", "c", "d"], "cut at \(cut)")
        }
        var sp = LineSplitter(maxLineBytes: 3)
        var got: [String] = []
        Array("abcdef\nx".utf8).withUnsafeBytes { _ = sp.feed($0) { got.append($0.string); return true } }
        sp.finish { got.append($0.string); return true }
        #expect(got == ["abc", "x"] && sp.truncatedLines == 1)
    }

    @Test(arguments: [
        Data([0x00, 0x01, 0x02, 0xFF, 0xFE, 0x00]), Data(repeating: 0xFF, count: 5000), Data(), Data("{".utf8),
        Data("[[[[[[[[".utf8), Data("<html><body>hi</body></html>".utf8), Data("Date,User,Message\n".utf8),
    ])
    func junkYieldsNoMessages(_ data: Data) async throws {
        let r = try await Self.run(data, path: "e.zip!/notes.txt")
        #expect(r.messages.isEmpty)
    }

    @Test func truncatedHTMLKeepsWhatItRead() async throws {
        let url = Corpus.url("chat/telegram/pair/messages.html")
        let full = try Data(contentsOf: url)
        let text = String(decoding: full, as: UTF8.self)
        let cut = try #require(text.range(of: "id=\"message203\""))
        let r = try await Self.run(Data(text[..<cut.upperBound].utf8), path: "e.zip!/messages.html")
        #expect(r.messages.prefix(2).map(\.nativeID) == ["201", "202"])
        #expect(r.messages.count <= 3)
    }

    @Test func descriptorAndSniff() {
        let a = ChatExportAnalyzer()
        #expect(a.descriptor.id == "chat-export")
        #expect(a.descriptor.accepts.sniff)
        let f = EvidenceFile(key: "k", virtualPath: "e!/x.bin", size: 0, hashes: FileHashes(md5: "", sha1: "", sha256: ""),
                             mime: "application/octet-stream", content: .none)
        #expect(a.sniff(prefix: Data("1/4/23, 7:02\u{202F}PM - A: hi\n1/4/23, 7:03\u{202F}PM - B: yo\n".utf8), file: f))
        #expect(a.sniff(prefix: Data("{\"name\": \"x\", \"type\": \"personal_chat\", \"id\": 1, \"messages\": [".utf8), file: f))
        #expect(!a.sniff(prefix: Data("{\"name\": \"x\", \"version\": 2}".utf8), file: f))
        #expect(!a.sniff(prefix: Data("hello world\nthis is a note\n".utf8), file: f))
    }

    @Test func spooledFileReadsLikeMemory() async throws {
        let url = Corpus.url("chat/telegram/full/result.json")
        let data = try Data(contentsOf: url)
        let file = EvidenceFile(key: "t", virtualPath: "case.zip!/full/result.json", size: Int64(data.count),
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/json", content: .temporaryFile(url))
        let ctx = AnalysisContext(assumedZone: nil, temporaryDirectory: FileManager.default.temporaryDirectory)
        let fromFile = try AnalyzerHarness.run(ChatExportAnalyzer(), on: file, context: ctx)
        var mem = file
        mem.content = .memory(data)
        #expect(try AnalyzerHarness.run(ChatExportAnalyzer(), on: mem, context: ctx) == fromFile)
    }
}
