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
    static func run(_ name: String, zone: String? = "Asia/Seoul") async throws -> AnalyzerOutput {
        let data = try bytes(name)
        let file = EvidenceFile(key: "test", virtualPath: "case.zip!/\(name)", size: Int64(data.count),
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/octet-stream",
                                content: .memory(data))
        let ctx = AnalysisContext(assumedZone: zone.flatMap { TimeZone(identifier: $0) },
                                  temporaryDirectory: FileManager.default.temporaryDirectory)
        return try AnalyzerHarness.run(MetadataAnalyzer(), on: file, context: ctx, requireAcceptance: !name.hasPrefix("hostile/"), twice: true)
    }
}

/// What the metadata tests read from an analyzer's output, whichever way it was collected.
protocol MetadataFindings {
    var findings: [Finding] { get }
}
extension AnalyzerOutput: MetadataFindings {}
extension FindingCollector: MetadataFindings {}

extension MetadataFindings {
    var entries: [MetadataEntry] { findings.compactMap { if case .metadata(let e) = $0 { return e }; return nil } }
    var indicators: [Indicator] { findings.compactMap { if case .indicator(let i) = $0 { return i }; return nil } }

    func entry(_ ns: MetadataNamespace, _ tag: String) -> MetadataEntry? {
        entries.first { $0.namespace == ns && $0.tag == tag }
    }
}
