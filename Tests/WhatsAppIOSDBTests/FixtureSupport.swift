import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
import WhatsAppIOSDB

/// Builds the `EvidenceFile` the engine would hand the analyzer: the fixture's ChatStorage.sqlite
/// copied into a private folder with its companions (`-wal`, `ContactsV2.sqlite`) beside it.
enum IOSFixture {
    static let ffsGroup = "/private/var/mobile/Containers/Shared/AppGroup/3F2504E0-4F89-41D3-9A0C-0305E82C3301/"
    static let backupGroup = "/private/var/mobile/Containers/Shared/AppGroup/group.net.whatsapp.WhatsApp.shared/"
    static let owner = "whatsapp-ios:group.net.whatsapp.WhatsApp.shared"

    /// Copies `corpora/phone/whatsapp-ios/<folder>/ChatStorage.sqlite` and the companions named in
    /// `companions` that exist into `dir`.
    static func file(_ folder: String, devicePath: String? = ffsGroup + "ChatStorage.sqlite", in dir: TestDirectory,
                     companions names: [String] = ["ChatStorage.sqlite-wal", "ContactsV2.sqlite"]) throws -> EvidenceFile {
        let src = Corpus.url("phone/whatsapp-ios/\(folder)")
        let work = dir.url.appendingPathComponent("copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let name = "ChatStorage.sqlite"
        let main = work.appendingPathComponent(name)
        try FileManager.default.copyItem(at: src.appendingPathComponent(name), to: main)
        var companions: [CompanionFile] = []
        for c in names {
            let from = src.appendingPathComponent(c)
            guard FileManager.default.fileExists(atPath: from.path) else { continue }
            let to = work.appendingPathComponent(c)
            try FileManager.default.copyItem(at: from, to: to)
            companions.append(CompanionFile(name: c, virtualPath: "phone.zip!/group/\(c)",
                                            devicePath: devicePath.map { ($0 as NSString).deletingLastPathComponent + "/" + c },
                                            size: size(to), sha256: "", url: to))
        }
        return EvidenceFile(key: "phone.zip#1", virtualPath: "phone.zip!/group/\(name)", size: size(main),
                            hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/vnd.sqlite3",
                            content: .temporaryFile(main), devicePath: devicePath, companions: companions)
    }

    private static func size(_ url: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? NSNumber)?.int64Value ?? 0
    }

    static func run(_ file: EvidenceFile, in dir: TestDirectory) async throws -> AnalyzerOutput {
        try AnalyzerHarness.run(WhatsAppIOSDBAnalyzer(), on: file, context: AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url), requireAcceptance: false)
    }
}

extension Sequence where Element == Finding {
    var chats: [ChatInfo] { compactMap { if case .chat(let c) = $0 { return c } else { return nil } } }
    var participants: [ParticipantInfo] { compactMap { if case .participant(let p) = $0 { return p } else { return nil } } }
    var messages: [MessageRecord] { compactMap { if case .message(let m) = $0 { return m } else { return nil } } }
    var artifacts: [Artifact] { compactMap { if case .artifact(let a) = $0 { return a } else { return nil } } }
}

/// Core Data seconds → the TimeValue the analyzer must produce. The columns are declared
/// TIMESTAMP (NUMERIC affinity), so SQLite stores a whole number of seconds as an INTEGER and
/// the raw value as found has no fraction; other values stay REAL.
func coreData(_ seconds: Double) -> TimeValue {
    let micros = Int64(((seconds + 978_307_200) * 1_000_000).rounded())
    let whole = seconds == seconds.rounded()
    return TimeValue(raw: whole ? String(Int64(seconds)) : String(seconds), utcMicros: micros, basis: .utc,
                     precision: whole ? .second : .millisecond)
}

extension JSONValue {
    /// The members of an object, else nil (tests only).
    var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o } else { return nil } }
}
