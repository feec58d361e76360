import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
@testable import TelegramDB

/// A 100,000-message cache4.db made at test time by the fixture generator (`--big`), read by
/// streaming: every row arrives once, in order, with no warning. Time is printed, not asserted.
@Suite("Telegram Android cache4.db at scale")
struct TelegramDBBigTests {
    @Test func hundredThousandMessages() async throws {
        let dir = try TestDirectory("telegram-big")
        defer { dir.remove() }
        let script = TelegramFixtures.folder.appendingPathComponent("make_telegram.py").path
        let gen = try Run.command("/usr/bin/env", ["python3", script, "--big", "100000", "--out", dir.url.path])
        try #require(gen.exitCode == 0, "\(gen.stderr)")
        let db = dir.url.appendingPathComponent("cache4.db")
        let size = (try FileManager.default.attributesOfItem(atPath: db.path)[.size] as? Int64) ?? 0
        let file = EvidenceFile(key: "big", virtualPath: "big!/data/data/org.telegram.messenger/files/cache4.db", size: size,
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/vnd.sqlite3",
                                content: .temporaryFile(db), devicePath: TelegramFixtures.devicePath)
        let counter = BigCounter()
        let start = Date()
        try TelegramDBAnalyzer().analyze(file, context: AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url), into: CallbackSink(finding: { f in
            counter.add(f)
        }, warning: { _ in counter.warnings += 1 }))
        let seconds = Date().timeIntervalSince(start)
        print("telegram-db: 100000 messages in \(String(format: "%.2f", seconds)) s")
        #expect(counter.messages == 100_000)
        #expect(counter.lastSequence == 99_999)
        #expect(counter.chats == 50)
        #expect(counter.warnings == 0)
        #expect(counter.services == 1031)  // rows with i % 97 == 13
        #expect(counter.attachments == 10_000 - (0..<100_000).filter { $0 % 10 == 5 && $0 % 97 == 13 }.count)
    }
}

/// Counts streamed findings without keeping them.
final class BigCounter: @unchecked Sendable {
    // Safe: the sink runs synchronously on the calling thread.
    var messages = 0, chats = 0, warnings = 0, services = 0, attachments = 0, lastSequence = -1
    func add(_ f: Finding) {
        switch f {
        case .message(let m):
            messages += 1; lastSequence = m.sequence
            if m.kind == .service { services += 1 }
            attachments += m.attachments.count
        case .chat: chats += 1
        default: break
        }
    }
}
