import ArgumentParser
import EvidenceStore
import ExhibitKit
import Foundation

/// `exhibit problems`: every analysis error and warning with the file it is about.
struct ProblemsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "problems",
        abstract: "List analysis errors and warnings with their files (what could not be read, and why).",
        discussion: """
        One line per row of analysis_errors: status, code, analyzer, the evidence item and file path,
        and the message. Counts by code come first.

        Examples:
          exhibit problems --db case.sqlite
          exhibit problems --db case.sqlite --status error
          exhibit problems --db case.sqlite --code intake-guard --json

        Exit codes: 0 listed (possibly nothing); 1 the database cannot be read; 2 bad usage.
        """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "Only rows with this status.") var status: AnalysisStatus?
    @Option(help: "Only rows with this code.") var code: String?
    @Option(help: "At most this many rows.") var limit: Int = 1000
    @Option(help: "Skip this many rows first.") var offset: Int = 0
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard limit >= 0, offset >= 0 else { throw ValidationError("--limit and --offset must not be negative") }
    }

    func run() throws {
        let rows: [ProblemRow], counts: [ProblemCount]
        do {
            let db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true)
            rows = try db.listProblems(status: status, code: code, limit: limit, offset: offset)
            counts = try db.caseOverview().problems.filter { (status == nil || $0.status == status) && (code == nil || $0.code == code) }
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
        if json { try printJSON(rows.map(ProblemJSON.init)); return }
        if counts.isEmpty { print("no analysis errors or warnings"); return }
        for c in counts { print("\(c.count)\t\(c.status)\t\(c.code)") }
        print("")
        for r in rows {
            print(TerminalText.safe("\(r.status) \(r.code) [\(r.analyzerID)] \(TerminalText.field(r.path)): \(TerminalText.field(r.message))"))
        }
    }
}

/// `--status`: parsed once, so an unknown value is a usage error (exit 2) listing the statuses.
extension AnalysisStatus: ExpressibleByArgument {}

/// `exhibit problems --json`: one object per row, snake_case keys, every key present.
struct ProblemJSON: Encodable {
    var evidence, path, analyzer_id, status, code, message: String
    init(_ r: ProblemRow) {
        evidence = r.evidence; path = r.path; analyzer_id = r.analyzerID; status = r.status.rawValue; code = r.code; message = r.message
    }
}
