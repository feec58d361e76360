import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
import WhatsAppDB

/// Builds the `EvidenceFile` the engine would hand the analyzer: the fixture's database copied
/// into a private folder with its companions (`-wal`, `wa.db`) beside it, as the engine lays them out.
enum WAFixture {
    static let owner = "/data/data/com.whatsapp"
    static let devicePath = "/data/data/com.whatsapp/databases/msgstore.db"

    /// Copies `corpora/phone/whatsapp/<folder>/<name>` and its companions into `dir`.
    static func file(_ folder: String, name: String = "msgstore.db", devicePath: String? = devicePath,
                     in dir: TestDirectory) throws -> EvidenceFile {
        let src = Corpus.url("phone/whatsapp/\(folder)")
        return try copy(from: src, name: name, devicePath: devicePath, in: dir)
    }

    /// The same for a database outside the corpus (generated at test time).
    static func copy(from src: URL, name: String = "msgstore.db", devicePath: String?, in dir: TestDirectory) throws -> EvidenceFile {
        let work = dir.url.appendingPathComponent("copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let main = work.appendingPathComponent(name)
        try FileManager.default.copyItem(at: src.appendingPathComponent(name), to: main)
        var companions: [CompanionFile] = []
        for c in [name + "-wal", name + "-journal", "wa.db", "wa.db-wal", "wa.db-journal"] {
            let from = src.appendingPathComponent(c)
            guard FileManager.default.fileExists(atPath: from.path) else { continue }
            let to = work.appendingPathComponent(c)
            try FileManager.default.copyItem(at: from, to: to)
            let size = (try FileManager.default.attributesOfItem(atPath: to.path)[.size] as? NSNumber)?.int64Value ?? 0
            let dev = devicePath.map { ($0 as NSString).deletingLastPathComponent + "/" + c }
            companions.append(CompanionFile(name: c, virtualPath: "phone.tar!/\(folder(src))/\(c)", devicePath: dev,
                                            size: size, sha256: "", url: to))
        }
        let size = (try FileManager.default.attributesOfItem(atPath: main.path)[.size] as? NSNumber)?.int64Value ?? 0
        return EvidenceFile(key: "phone.tar#1", virtualPath: "phone.tar!/\(folder(src))/\(name)", size: size,
                            hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/vnd.sqlite3",
                            content: .temporaryFile(main), devicePath: devicePath, companions: companions)
    }

    static let minji = "821055501234@s.whatsapp.net", junho = "821055509999@s.whatsapp.net"
    static let alex = "447700900123@s.whatsapp.net", group = "120363025551234567@g.us"

    /// The two chats of the current and legacy fixtures (Minji 1:1, the group), read from
    /// `table` rows 1 and 2 with these creation notes.
    static func chats(table: String, created: (String, String)) -> [ChatInfo] {
        [ChatInfo(chatKey: "chat0", platform: .whatsapp, format: .whatsAppAndroidDB, nativeID: minji, title: "민지 Minji",
                  chatType: "private", location: SourceLocation(record: "\(table) rowid 1"), notes: [created.0], owner: owner),
         ChatInfo(chatKey: "chat1", platform: .whatsapp, format: .whatsAppAndroidDB, nativeID: group,
                  title: "콘서트 친구들 (Concert friends)", chatType: "group", location: SourceLocation(record: "\(table) rowid 2"),
                  notes: [created.1], owner: owner)]
    }

    /// Participants of both fixtures: the group's members (the owner last), then Minji and the
    /// owner in the 1:1 chat as they first send.
    static let participants = [
        ParticipantInfo(chatKey: "chat1", displayName: "민지 Minji", nativeID: minji),
        ParticipantInfo(chatKey: "chat1", displayName: "준호", nativeID: junho),
        ParticipantInfo(chatKey: "chat1", displayName: "Alex M.", nativeID: alex),
        ParticipantInfo(chatKey: "chat1", displayName: nil, nativeID: nil, isDeviceOwner: true),
        ParticipantInfo(chatKey: "chat0", displayName: "민지 Minji", nativeID: minji),
        ParticipantInfo(chatKey: "chat0", displayName: nil, nativeID: nil, isDeviceOwner: true),
    ]

    private static func folder(_ url: URL) -> String { "data/data/com.whatsapp/databases" }

    static func run(_ file: EvidenceFile, in dir: TestDirectory) async throws -> AnalyzerOutput {
        try AnalyzerHarness.run(WhatsAppDBAnalyzer(), on: file, context: AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url), requireAcceptance: false)
    }
}

extension Sequence where Element == Finding {
    var chats: [ChatInfo] { compactMap { if case .chat(let c) = $0 { return c } else { return nil } } }
    var participants: [ParticipantInfo] { compactMap { if case .participant(let p) = $0 { return p } else { return nil } } }
    var messages: [MessageRecord] { compactMap { if case .message(let m) = $0 { return m } else { return nil } } }
    var artifacts: [Artifact] { compactMap { if case .artifact(let a) = $0 { return a } else { return nil } } }
}

/// Milliseconds → the TimeValue the analyzer must produce.
func ms(_ value: Int64) -> TimeValue {
    TimeValue(raw: String(value), utcMicros: value * 1000, basis: .utc, precision: .millisecond)
}
