import Foundation
import Testing
import ExhibitKit
import ExhibitTesting
@testable import ChatExport

/// The analyzer is offered a file only when its sniff says yes (issue 14, item 2): every export
/// must pass it, ordinary text and binary must be turned away from the 4 KiB head.
@Suite("Chat sniff")
struct ChatSniffTests {
    static func file(_ data: Data, _ path: String) -> EvidenceFile {
        EvidenceFile(key: "s", virtualPath: path, size: Int64(data.count), hashes: FileHashes(md5: "", sha1: "", sha256: ""),
                     mime: "text/plain", content: .memory(data))
    }

    static func sniff(_ data: Data, _ path: String = "e.zip!/notes.txt") -> Bool {
        ChatExportAnalyzer().sniff(prefix: data.prefix(Acceptance.sniffLength), file: file(data, path))
    }

    static func verdict(_ data: Data) -> HeadVerdict {
        data.prefix(Acceptance.sniffLength).withUnsafeBytes { FormatDetector.quickVerdict($0, wholeFile: data.count <= Acceptance.sniffLength) }
    }

    /// App databases named like exports (KakaoTalk.db, its -wal and -journal) are turned away
    /// silently: no `not-an-export` warning on every phone's KakaoTalk database.
    @Test func sqliteFilesNamedLikeExportsAreNotOffered() {
        let db = Data("SQLite format 3\u{0}".utf8) + Data(repeating: 0, count: 84)
        let wal = Data([0x37, 0x7F, 0x06, 0x82]) + Data(repeating: 0, count: 28)
        let journal = Data([0xD9, 0xD5, 0x05, 0xF9, 0x20, 0xA1, 0x63, 0xD7]) + Data(repeating: 0, count: 20)
        let base = "phone.tar!/data/data/com.kakao.talk/databases/KakaoTalk.db"
        #expect(!Self.sniff(db, base))
        #expect(!Self.sniff(wal, base + "-wal"))
        #expect(!Self.sniff(journal, base + "-journal"))
        #expect(Self.sniff(Data("not sqlite".utf8), base), "a KakaoTalk-named file that is not SQLite is still offered (and warned about)")
    }

    /// Every fixture that yields messages is accepted, by its content alone (a neutral name).
    @Test(arguments: ChatFixtures.all())
    func everyExportPassesTheSniff(_ fixture: String) throws {
        let golden = try ChatFixtures.expected(fixture)
        guard !(golden["messages"]?.items ?? []).isEmpty else { return }
        let data = try Data(contentsOf: ChatFixtures.root.appendingPathComponent(fixture))
        let neutral = "e.zip!/x" + (fixture.hasSuffix(".json") ? ".json" : fixture.hasSuffix(".html") ? ".html" : ".txt")
        #expect(Self.sniff(data, neutral), "\(fixture) rejected by the sniff")
        #expect(Self.verdict(data) != .no, "\(fixture): head verdict no")
    }

    /// Prose, logs and random bytes are refused from the head alone, without the 64 KiB detection.
    @Test func ordinaryFilesAreRefusedFromTheHead() throws {
        var rng = SystemRandomNumberGenerator()
        let words = ["evidence", "report", "meeting", "사진", "회의", "budget", "2024", "12:30", "-", "[draft]"]
        var prose = ""
        while prose.utf8.count < 100_000 { prose += (0..<12).map { _ in words.randomElement(using: &rng) ?? "" }.joined(separator: " ") + "\n" }
        #expect(Self.verdict(Data(prose.utf8)) == .no)
        #expect(!Self.sniff(Data(prose.utf8)))
        let log = (0..<2000).map { "2024-08-28 15:\(String(format: "%02d", $0 % 60)):00 INFO worker \($0) started" }.joined(separator: "\n")
        #expect(Self.verdict(Data(log.utf8)) == .no)
        let blob = Data((0..<50_000).map { _ in UInt8.random(in: 0...255, using: &rng) })
        #expect(Self.verdict(blob) == .no)
        #expect(!Self.sniff(blob, "e.zip!/blob.bin"))
        // A short file is judged whole: a few lines of prose are refused, an empty file too.
        #expect(Self.verdict(Data("hello\nworld\n".utf8)) == .no)
        #expect(Self.verdict(Data()) == .no)
        let readme = try Data(contentsOf: ChatFixtures.root.appendingPathComponent("hostile/prose/README.txt"))
        #expect(!Self.sniff(readme, "e.zip!/README.txt"))
    }

    /// What the head cannot judge goes to the full detection; names that promise an export are
    /// accepted so that a non-export under such a name earns its warning.
    @Test func undecidedHeadsAndExportNames() {
        #expect(Self.verdict(Data("{\"a\": 1}".utf8)) == .unsure)
        #expect(Self.verdict(Data("<html><body>".utf8)) == .unsure)
        let utf16 = Data([0xFF, 0xFE] + Array("hello".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        #expect(Self.verdict(utf16) == .unsure)
        let oneLongLine = Data(String(repeating: "x", count: 10_000).utf8)
        #expect(Self.verdict(oneLongLine) == .unsure)
        #expect(!Self.sniff(oneLongLine))  // the full detection then says no
        #expect(Self.sniff(Data("not an export\n".utf8), "e.zip!/WhatsApp Chat with Minji.txt"))
        #expect(Self.sniff(Data("{\"x\": 1}".utf8), "e.zip!/result.json"))
        // An export's first timestamp cut by the end of the head still counts.
        let cut = Data((String(repeating: "\n", count: 4075) + "28/08/2024, 15:06 - A: hi\n").utf8)
        #expect(Self.verdict(cut) == .yes)
    }
}
