import ExhibitKit
import ExhibitTesting
import Foundation
@testable import KakaoTalkDB

/// Lays fixture files out the way the engine does (one private folder, own names) and runs the analyzer.
enum KakaoFixture {
    static let deviceFolder = "/data/data/com.kakao.talk/databases"

    /// Copies `main` and `companions` (paths under corpora/phone/kakaotalk, or absolute) into a
    /// fresh private folder and builds the EvidenceFile the engine would hand over.
    static func file(_ main: String, companions: [String] = [], deviceFolder: String? = Self.deviceFolder,
                     in dir: TestDirectory) throws -> EvidenceFile {
        func source(_ p: String) -> URL { p.hasPrefix("/") ? URL(fileURLWithPath: p) : Corpus.url("phone/kakaotalk/" + p) }
        func copy(_ p: String, as name: String) throws -> (URL, Int64) {
            let dst = dir.url.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: dst)
            try FileManager.default.copyItem(at: source(p), to: dst)
            let size = (try FileManager.default.attributesOfItem(atPath: dst.path)[.size] as? NSNumber)?.int64Value ?? 0
            return (dst, size)
        }
        let (url, size) = try copy(main, as: "KakaoTalk.db")
        let virtualFolder = "phone.tar!/userdata/data/com.kakao.talk/databases"
        var comps: [CompanionFile] = []
        for c in companions {
            let name = (c as NSString).lastPathComponent
            let (u, s) = try copy(c, as: name)
            comps.append(CompanionFile(name: name, virtualPath: "\(virtualFolder)/\(name)",
                                       devicePath: deviceFolder.map { "\($0)/\(name)" }, size: s, sha256: "", url: u))
        }
        return EvidenceFile(key: "kakao", virtualPath: "\(virtualFolder)/KakaoTalk.db", size: size,
                            hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/vnd.sqlite3",
                            content: .temporaryFile(url), devicePath: deviceFolder.map { "\($0)/KakaoTalk.db" }, companions: comps)
    }

    static func run(_ file: EvidenceFile, in dir: TestDirectory) async throws -> AnalyzerOutput {
        try AnalyzerHarness.run(KakaoTalkDBAnalyzer(), on: file, context: AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url), requireAcceptance: false)
    }
}

/// Picks findings of one kind out of a list.
extension Sequence where Element == Finding {
    var chats: [ChatInfo] { compactMap { if case .chat(let c) = $0 { return c }; return nil } }
    var messages: [MessageRecord] { compactMap { if case .message(let m) = $0 { return m }; return nil } }
    var participants: [ParticipantInfo] { compactMap { if case .participant(let p) = $0 { return p }; return nil } }
    var artifacts: [Artifact] { compactMap { if case .artifact(let a) = $0 { return a }; return nil } }
}

extension JSONValue {
    /// `.number` shorthand for expected extras.
    static func n(_ v: Int64) -> JSONValue { .number(Double(v)) }
}
