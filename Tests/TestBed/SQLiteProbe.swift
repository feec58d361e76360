import AppDatabaseKit
import GRDB
import ExhibitKit
import Foundation

/// A test-bed analyzer with companions: proves the engine's companion phase (docs/architecture.md,
/// "Analyzers with companions") — the database arrives with its `-wal` and a sibling database,
/// whatever their order in the archive, as private copies; WAL-only rows are read; the evidence
/// is never opened. Reports one `testbed.sqlite` artifact: rows of table `t`, the companions
/// handed over, the device path, and the sibling's row count.
struct SQLiteProbe: Analyzer {
    var descriptor: AnalyzerDescriptor {
        AnalyzerDescriptor(id: "testbed-sqlite", version: "1", summary: "Counts rows of probe.db with its WAL (test bed).",
                           accepts: Acceptance(pathGlobs: ["*/loose/probe.db"], devicePathGlobs: ["/data/data/*/databases/probe.db"],
                                               companions: ["{name}-wal", "{name}-journal", "other.db"]),
                           produces: [.artifact])
    }

    func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws {
        let emit = sink.emit
        let db = try AppDatabase.open(file, temporaryDirectory: context.temporaryDirectory)
        emit(.artifact(db.artifact(app: "testbed")))
        let rows = try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM t") ?? -1 }
        var other: Double = -1
        if let sibling = file.companion(named: "other.db") {
            var f = file
            f.content = .temporaryFile(sibling.url); f.companions = []
            let o = try AppDatabase.open(f, temporaryDirectory: context.temporaryDirectory)
            other = Double(try o.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM t") ?? -1 })
        }
        if case .temporaryFile(let url) = file.content, url.path.contains("/evidence/") {
            sink.warn(AnalysisWarning(code: "opened-evidence", message: "the analyzer was given the evidence itself"))
        }
        emit(.artifact(Artifact(type: "testbed.sqlite", properties: .object([
            "rows": .number(Double(rows)), "other_rows": .number(other),
            "companions": .array(file.companions.map { .string($0.name) }.sorted { $0.canonicalText < $1.canonicalText }),
            "device_path": file.devicePath.map(JSONValue.string) ?? .null,
            "wal_present": .bool(db.facts.walPresent),
        ]))))
    }
}
