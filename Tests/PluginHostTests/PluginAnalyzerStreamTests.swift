import ExhibitKit
import ExhibitTesting
import Foundation
@testable import PluginHost
import Testing

/// `PluginAnalyzer` forwards each finding as its reply line arrives. When the receiver fails
/// mid-reply (a store error), the process is stopped — it is out of step — the receiver's error
/// comes back unchanged, and the next file gets a fresh process; the failure is not the plugin's
/// and does not count towards disabling it.
@Suite(.serialized)
struct PluginAnalyzerStreamTests {
    struct ReceiverFailed: Error, Equatable {}

    @Test func aFailingReceiverStopsTheProcessButNotThePlugin() throws {
        let dir = try TestDirectory("plugin-analyzer-stream"); defer { dir.remove() }
        let manifest = try PluginManifest.load(directory: Corpus.url("plugins/misbehave").path)
        let plugin = PluginAnalyzer(manifest: manifest, launch: PluginLaunch(executable: PluginFixture.exhibit, protect: [], scratchRoot: dir.url.path,
                                                                            log: { _ in }),
                                    maxConsecutiveFailures: 1)
        defer { plugin.shutdown() }
        let context = AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url)
        func file(_ text: String, _ n: Int) -> EvidenceFile {
            EvidenceFile(key: "s#\(n)", virtualPath: "ev.zip!/\(n).txt", size: Int64(text.utf8.count),
                         hashes: FileHashes(md5: "", sha1: "", sha256: String(format: "%064x", n)), mime: "text/plain", content: .memory(Data(text.utf8)))
        }
        // INVALID: a valid artifact, an invalid message line, a valid artifact.
        var seen: [String] = []
        #expect(throws: ReceiverFailed.self) {
            try plugin.analyze(file("INVALID\n", 1), context: context, emit: { f in
                if case .artifact(let a) = f { seen.append(a.type) }
                throw ReceiverFailed()
            }, warn: { _ in })
        }
        #expect(seen == ["test.before-invalid"], "the session stops at the receiver's error")
        // Not disabled (the limit is 1 failure): the next file is analysed by a fresh process,
        // and the warning of the invalid line arrives between the two artifacts.
        var order: [String] = []
        try plugin.analyze(file("INVALID\n", 2), context: context, emit: { f in
            if case .artifact(let a) = f { order.append(a.type) }
        }, warn: { order.append("warning \($0.code): \($0.message)") })
        #expect(order == ["test.before-invalid",
                          "warning plugin-invalid-finding: reply line 2: message names chat \"never-reported\", which no chat finding before it in this reply reported",
                          "test.after-invalid"])
        // Through the analyzer contract's entry point, into a sink.
        let sink = FindingCollector()
        try plugin.analyze(file("three\nlines\nhere\n", 3), context: context, into: sink)
        #expect(sink.findings == [.artifact(Artifact(type: "test.lines", properties: .object(["lines": .number(3), "first": .string("three")])))])
        #expect(sink.warnings.isEmpty)
        // A failure keeps what was handed over before it (EXIT: one artifact, then exit 3).
        let partial = FindingCollector()
        #expect(throws: AnalyzerError.self) { try plugin.analyze(file("EXIT\n", 4), context: context, into: partial) }
        #expect(partial.findings == [.artifact(Artifact(type: "test.partial", properties: .object([:])))])
    }
}
