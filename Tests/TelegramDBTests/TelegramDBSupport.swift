import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
@testable import TelegramDB

/// The findings of one run, split by kind, in arrival order.
struct TelegramRun {
    var findings: [Finding] = []
    var warnings: [AnalysisWarning] = []
    var chats: [ChatInfo] { findings.compactMap { if case .chat(let c) = $0 { return c } else { return nil } } }
    var participants: [ParticipantInfo] {
        findings.compactMap { if case .participant(let p) = $0 { return p } else { return nil } }
    }
    var messages: [MessageRecord] { findings.compactMap { if case .message(let m) = $0 { return m } else { return nil } } }
    var artifacts: [Artifact] { findings.compactMap { if case .artifact(let a) = $0 { return a } else { return nil } } }

    func message(_ chatKey: String, _ nativeID: String) throws -> MessageRecord {
        try #require(messages.first { $0.chatKey == chatKey && $0.nativeID == nativeID }, "\(chatKey) \(nativeID)")
    }
}

enum TelegramFixtures {
    static let folder = Corpus.url("phone/telegram")
    static let devicePath = "/data/data/org.telegram.messenger/files/cache4.db"

    /// Runs the analyzer the way the engine does: a private copy of `cache4.db` and (when asked)
    /// of its `-wal` in one folder, the WAL listed as a companion.
    static func run(_ source: URL, devicePath: String? = devicePath, withWAL: Bool = true,
                    virtualPath: String = "phone.tar!/data/data/org.telegram.messenger/files/cache4.db") async throws -> TelegramRun {
        let dir = try TestDirectory("telegram")
        defer { dir.remove() }
        let db = dir.url.appendingPathComponent("cache4.db")
        try FileManager.default.copyItem(at: source, to: db)
        var companions: [CompanionFile] = []
        let walSource = URL(fileURLWithPath: source.path + "-wal")
        if withWAL, FileManager.default.fileExists(atPath: walSource.path) {
            let wal = dir.url.appendingPathComponent("cache4.db-wal")
            try FileManager.default.copyItem(at: walSource, to: wal)
            let size = (try FileManager.default.attributesOfItem(atPath: wal.path)[.size] as? Int64) ?? 0
            companions.append(CompanionFile(name: "cache4.db-wal", virtualPath: virtualPath + "-wal",
                                            devicePath: devicePath.map { $0 + "-wal" }, size: size, sha256: "", url: wal))
        }
        let size = (try FileManager.default.attributesOfItem(atPath: db.path)[.size] as? Int64) ?? 0
        let file = EvidenceFile(key: "k", virtualPath: virtualPath, size: size,
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/vnd.sqlite3",
                                content: .temporaryFile(db), devicePath: devicePath, companions: companions)
        let context = AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url)
        let out = try AnalyzerHarness.run(TelegramDBAnalyzer(), on: file, context: context, requireAcceptance: false)
        return TelegramRun(findings: out.findings, warnings: out.warnings)
    }

    static func run(fixture: String, withWAL: Bool = true, devicePath: String? = devicePath) async throws -> TelegramRun {
        try await run(folder.appendingPathComponent(fixture), devicePath: devicePath, withWAL: withWAL)
    }

    static func utc(_ seconds: Int64) -> TimeValue { TimeValue.unixSeconds(seconds) }
}
