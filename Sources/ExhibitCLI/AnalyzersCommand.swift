import ArgumentParser
import Engine
import ExhibitKit
import Foundation

struct AnalyzersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyzers",
        abstract: "List the analyzers this exhibit offers, with versions and what they accept.")

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let catalog = ExhibitCommand.catalog
        let file = catalog.fileAnalyzers.map { Listing(kind: "file", $0.descriptor) }
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
        }
    }

    struct Listing: Encodable {
        var id, version, summary, kind: String
        var mimeTypes, pathGlobs: [String]
        var sniff: Bool
        init(kind: String, _ d: AnalyzerDescriptor) {
            id = d.id; version = d.version; summary = d.summary; self.kind = kind
            mimeTypes = d.accepts.mimeTypes; pathGlobs = d.accepts.pathGlobs; sniff = d.accepts.sniff
        }
    }
}
