import Foundation
import Testing
import ExhibitKit
import ExhibitTesting
@testable import Metadata

/// Fixtures under corpora/metadata/, their ExifTool goldens (`<fixture>.exiftool.json`, from
/// `exiftool -j -n -G1`) and `expected.json` (indicator kinds and warning codes per fixture).
enum MetadataFixtures {
    static var root: URL { Corpus.url("metadata") }

    static func expected() throws -> [String: JSONValue] {
        let data = try Data(contentsOf: root.appendingPathComponent("expected.json"))
        guard case .object(let o) = try JSONDecoder().decode(JSONValue.self, from: data) else { return [:] }
        return o
    }

    static var names: [String] { ((try? expected()) ?? [:]).keys.sorted() }

    static func golden(_ name: String) throws -> [String: JSONValue] {
        let data = try Data(contentsOf: root.appendingPathComponent(name + ".exiftool.json"))
        guard case .object(let o) = try JSONDecoder().decode(JSONValue.self, from: data) else { return [:] }
        return o
    }

    static func bytes(_ name: String) throws -> Data { try Data(contentsOf: root.appendingPathComponent(name)) }

    /// Runs the real analyzer on the fixture's bytes.
    static func run(_ name: String, zone: String? = "Asia/Seoul") async throws -> [Finding] {
        let data = try bytes(name)
        let file = EvidenceFile(key: "test", virtualPath: "case.zip!/\(name)", size: Int64(data.count),
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/octet-stream",
                                content: .memory(data))
        let ctx = AnalysisContext(assumedZone: zone.flatMap { TimeZone(identifier: $0) },
                                  temporaryDirectory: FileManager.default.temporaryDirectory)
        return try await MetadataAnalyzer().analyze(file, context: ctx)
    }
}

extension Array where Element == Finding {
    var entries: [MetadataEntry] { compactMap { if case .metadata(let e) = $0 { return e }; return nil } }
    var indicators: [Indicator] { compactMap { if case .indicator(let i) = $0 { return i }; return nil } }
    var warnings: [AnalysisWarning] { compactMap { if case .warning(let w) = $0 { return w }; return nil } }

    func entry(_ ns: MetadataNamespace, _ tag: String) -> MetadataEntry? {
        entries.first { $0.namespace == ns && $0.tag == tag }
    }
}
