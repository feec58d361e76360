import ArgumentParser
import Engine
import ExhibitKit
import Foundation
import PluginHost

struct AnalyzersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyzers",
        abstract: "List the analyzers this exhibit offers, with versions and what they accept.")

    @Flag(help: "Print JSON.")
    var json = false
    @Option(name: .customLong("plugins"), help: "Also list the plugins in this directory (repeatable); $EXHIBIT_PLUGIN_PATH and the per-user folder are always searched.")
    var plugins: [String] = []

    func run() throws {
        var catalog = ExhibitCommand.catalog
        let launch = PluginLaunch(executable: Supervisor.currentExecutable(), protect: [], scratchRoot: NSTemporaryDirectory())
        do {
            let added = try catalog.addingPlugins(explicit: plugins, launch: launch)
            catalog = added.catalog
            for p in added.problems { FileHandle.standardError.write(Data("exhibit: \(p)\n".utf8)) }
        } catch { fail("\(error)", code: 2) }
        let file = catalog.fileAnalyzers.map { Listing(kind: $0 is PluginAnalyzer ? "plugin" : "file", $0.descriptor) }
        let cases = catalog.caseAnalyzers.map { Listing(kind: "case", $0.descriptor) }
        let all = file + cases
        if json { try printJSON(all); return }
        if all.isEmpty {
            print("No analyzers are registered: ingest records the file inventory (hashes, types, times, statuses) only.")
            return
        }
        for a in all {
            print("\(a.id) \(a.version) [\(a.kind)] — \(a.summary)")
            if !a.mimeTypes.isEmpty { print("    MIME:  \(a.mimeTypes.joined(separator: ", "))") }
            if !a.pathGlobs.isEmpty { print("    paths: \(a.pathGlobs.joined(separator: ", "))") }
            if a.sniff { print("    also sniffs the first \(Acceptance.sniffLength) bytes of other files") }
            if !a.needsBytes { print("    metadata only (never sees the bytes)") }
        }
    }

    struct Listing: Encodable {
        var id, version, summary, kind: String
        var mimeTypes, pathGlobs: [String]
        var sniff: Bool
        var needsBytes: Bool
        init(kind: String, _ d: AnalyzerDescriptor) {
            id = d.id; version = d.version; summary = d.summary; self.kind = kind
            mimeTypes = d.accepts.mimeTypes; pathGlobs = d.accepts.pathGlobs; sniff = d.accepts.sniff; needsBytes = d.accepts.needsContent
        }
    }
}
