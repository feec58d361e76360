import ExhibitKit
import ExhibitTesting
import Foundation
import TelegramIOSDB

/// Builds the `EvidenceFile` the engine would hand the analyzer: the fixture's db_sqlite copied
/// into a private folder with its `-wal`/`-journal` beside it, as the engine lays them out.
enum TGFixture {
    static let account = "/private/var/mobile/Containers/Shared/AppGroup/6A1F0C9E-3B7D-4E21-9A55-0C2D8E4F7B10/telegram-data/account-8154432157466373651"
    static let devicePath = account + "/postbox/db/db_sqlite"

    /// Copies `corpora/phone/telegram-ios/<folder>/db_sqlite` and its companions into `dir`.
    static func file(_ folder: String, devicePath: String? = devicePath, companions wanted: Bool = true,
                     in dir: TestDirectory) throws -> EvidenceFile {
        let src = Corpus.url("phone/telegram-ios/\(folder)")
        let work = dir.url.appendingPathComponent("copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let name = "db_sqlite"
        let main = work.appendingPathComponent(name)
        try FileManager.default.copyItem(at: src.appendingPathComponent(name), to: main)
        var companions: [CompanionFile] = []
        for c in wanted ? [name + "-wal", name + "-journal"] : [] {
            let from = src.appendingPathComponent(c)
            guard FileManager.default.fileExists(atPath: from.path) else { continue }
            let to = work.appendingPathComponent(c)
            try FileManager.default.copyItem(at: from, to: to)
            let size = (try FileManager.default.attributesOfItem(atPath: to.path)[.size] as? NSNumber)?.int64Value ?? 0
            companions.append(CompanionFile(name: c, virtualPath: "iphone.zip!/\(folder)/\(c)",
                                            devicePath: devicePath.map { $0 + String(c.dropFirst(name.count)) },
                                            size: size, sha256: "", url: to))
        }
        let size = (try FileManager.default.attributesOfItem(atPath: main.path)[.size] as? NSNumber)?.int64Value ?? 0
        return EvidenceFile(key: "iphone.zip#1", virtualPath: "iphone.zip!/\(folder)/postbox/db/\(name)", size: size,
                            hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/vnd.sqlite3",
                            content: .temporaryFile(main), devicePath: devicePath, companions: companions)
    }

    static func run(_ file: EvidenceFile, in dir: TestDirectory) async throws -> AnalyzerOutput {
        try AnalyzerHarness.run(TelegramIOSDBAnalyzer(), on: file, context: AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url), requireAcceptance: false)
    }

    /// A UTC second as the analyzer reports t7 key timestamps.
    static func utc(_ s: Int64) -> TimeValue { TimeValue(raw: String(s), utcMicros: s * 1_000_000, basis: .utc, precision: .second) }

    static func extra(_ flags: Int, ns: Int = 0) -> JSONValue { .object(["namespace": .number(Double(ns)), "flags": .number(Double(flags))]) }

    /// The provenance of a t7 row: its 20-byte key in hex.
    static func record(_ peer: Int64, _ ts: Int32, _ id: Int32, ns: Int32 = 0) -> SourceLocation {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: peer.bigEndian) { bytes += $0 }
        withUnsafeBytes(of: ns.bigEndian) { bytes += $0 }
        withUnsafeBytes(of: ts.bigEndian) { bytes += $0 }
        withUnsafeBytes(of: id.bigEndian) { bytes += $0 }
        return SourceLocation(record: "t7 key " + bytes.map { String(format: "%02x", $0) }.joined())
    }
}

extension Sequence where Element == Finding {
    var chats: [ChatInfo] { compactMap { if case .chat(let c) = $0 { return c } else { return nil } } }
    var participants: [ParticipantInfo] { compactMap { if case .participant(let p) = $0 { return p } else { return nil } } }
    var messages: [MessageRecord] { compactMap { if case .message(let m) = $0 { return m } else { return nil } } }
    var artifacts: [Artifact] { compactMap { if case .artifact(let a) = $0 { return a } else { return nil } } }
}
