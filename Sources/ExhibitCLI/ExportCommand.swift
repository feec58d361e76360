import ArgumentParser
import CaseOutputs
import Engine
import EvidenceStore
import ExhibitKit
import ExhibitSupport
import Foundation
import Review

/// `--format`: one of the store's export formats, or `portable` (a tagged subset for outside
/// parties, written by the review application's code: Sources/Review/PortableCase.swift).
enum ExportChoice: ExpressibleByArgument {
    case store(ExportFormat)
    case portable

    init?(argument: String) {
        if argument == "portable" { self = .portable; return }
        guard let f = ExportFormat(rawValue: argument) else { return nil }
        self = .store(f)
    }

    static var allValueStrings: [String] { ExportFormat.allCases.map(\.rawValue) + ["portable"] }
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the case for another tool: Timesketch, CSV, bodyfile, CASE/UCO, DFXML, chat transcripts.",
        discussion: """
        Formats (docs/exports.md describes every field and how to check or import each):
          timesketch  JSON Lines for Timesketch (message, datetime, timestamp_desc + Exhibit's
                      fields). Events without a UTC instant are left out and counted.
          csv         the timeline as RFC 4180 CSV, UTF-8 (--bom for Excel).
          bodyfile    the file inventory as a Sleuth Kit 3.x bodyfile: mactime -b FILE -d
          case        CASE/UCO JSON-LD (check with case_validate).
          dfxml       DFXML file inventory with MD5/SHA-1/SHA-256 digests.
          transcript  printable HTML, one file per chat plus index.html, into the --out directory.
          portable    with --tagged: what was tagged in exhibit serve (messages with their
                      thread around them, files, picture groups, notes), custody and
                      integrity facts, blurred pictures and MANIFEST.sha256, as a folder
                      whose index.html opens from disk without Exhibit (docs/review.md).

        --from/--to (ISO 8601; without an offset, the case zone's wall clock — UTC when the case
        has no zone, --tz changes it; a date-only --to includes that local day) select events (timesketch, csv), messages (transcript, and messages in case), and
        files with at least one archive time in the window (bodyfile, dfxml, files in case).

        Times stay UTC in every machine format; csv adds the local time in the case's zone as
        its last column, "local" (empty without a zone; --tz for another zone). Transcripts show
        the local time with UTC beside it.

        The output is written beside --out as <out>.partial and renamed when complete.

        Examples:
          exhibit export --db case.sqlite --format timesketch --out case.jsonl
          exhibit export --db case.sqlite --format csv --bom --out timeline.csv \\
              --from 2024-08-01 --to 2024-08-31
          exhibit export --db case.sqlite --format bodyfile --out case.body
          mactime -b case.body -d
          exhibit export --db case.sqlite --format transcript --out transcripts/
          exhibit export --db case.sqlite --format portable --tagged --out for-defence/

        Exit codes: 0 written; 1 the database cannot be read or the output cannot be written;
        2 bad option; 4 --out exists (pass --force to replace it).
        """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "Output format: \(ExportChoice.allValueStrings.joined(separator: ", ")).") var format: ExportChoice
    @Option(help: "Output file (for transcript: a new or empty directory).") var out: String
    @Option(help: "Only what lies at or after T (ISO 8601; the case zone's wall clock unless it has an offset).") var from: String?
    @Option(help: "Only what lies up to T (a date-only T includes the whole local day).") var to: String?
    @Flag(help: "Start CSV output with a UTF-8 byte-order mark (for Excel).") var bom = false
    @Flag(help: "Replace an existing --out.") var force = false
    @Flag(help: "Print the summary as JSON.") var json = false
    @Flag(help: "portable: only what was tagged in exhibit serve (required with portable).") var tagged = false
    @Option(help: ArgumentHelp("portable: the review database (default: beside the case, NAME.review.sqlite).", valueName: "file"))
    var reviewDb: String?
    @Option(help: "portable: folder for the private scratch directory pictures are read through.")
    var tempDir: String = TemporaryDirectory.defaultRoot
    @OptionGroup var zone: ZoneOption

    func validate() throws { try TimeWindow.validate(from: from, to: to) }

    func run() throws {
        let format: ExportFormat
        switch self.format {
        case .store(let f): format = f
        case .portable: return try runPortable()
        }
        if tagged { fail("--tagged applies to --format portable only", code: 2) }
        var options = ExportOptions(byteOrderMark: bom, overwrite: force, toolVersion: ExhibitVersion.current)
        let clock = zone.clock(path: database.db)
        options.displayClock = clock
        let window = TimeWindow(from: from, to: to, clock: clock)
        options.fromMicros = window.fromMicros
        options.beforeMicros = window.beforeMicros
        if bom && format != .csv { fail("--bom applies to --format csv only", code: 2) }
        let db: EvidenceDatabase
        do { db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true) } catch {
            fail("\(database.db): \(error)", code: 1)
        }
        let summary: ExportSummary
        do {
            summary = try db.export(format, to: out, options: options)
        } catch let e as ExportError {
            switch e {
            case .outputExists: fail("\(e)", code: 4)
            case .invalidOption: fail("\(e)", code: 2)
            case .cannotWrite: fail("\(e)", code: 1)
            }
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
        if json {
            struct Out: Encodable { var format: String; var written: Int; var omitted: [String: Int]; var notes: [String: Int]; var outputs: [String] }
            try printJSON(Out(format: format.rawValue, written: summary.written, omitted: summary.omitted, notes: summary.notes, outputs: summary.outputs))
            return
        }
        let unit: String
        switch format {
        case .timesketch, .csv: unit = "event"
        case .bodyfile, .dfxml: unit = "file"
        case .transcript: unit = "message"
        case .caseUCO: unit = "file/message"
        }
        print("\(format.rawValue): \(summary.written) \(unit)\(summary.written == 1 ? "" : "s") written to \(out)")
        for (why, n) in summary.omitted.sorted(by: { $0.key < $1.key }) { print("  left out: \(n) — \(why)") }
        for (what, n) in summary.notes.sorted(by: { $0.key < $1.key }) { print("  note: \(n) \(what)") }
        if format == .transcript { print("  \(summary.outputs.count - 1) chat file\(summary.outputs.count == 2 ? "" : "s") + index.html") }
    }

    /// `--format portable --tagged`.
    func runPortable() throws {
        guard tagged else { fail("--format portable needs --tagged (only tagged items are exported)", code: 2) }
        if from != nil || to != nil || bom { fail("--from, --to and --bom do not apply to --format portable", code: 2) }
        let reviewPath = reviewDb ?? ReviewDatabase.sidecarPath(forCase: database.db)
        let summary: PortableCase.Summary
        do {
            summary = try PortableCase.write(databasePath: database.db, reviewPath: reviewPath, to: out,
                                             reviewer: ProcessInfo.processInfo.environment["USER"] ?? "reviewer",
                                             temporaryRoot: tempDir, overwrite: force)
        } catch let e as PortableCase.Failure {
            switch e {
            case .outputExists: fail("\(e)", code: 4)
            case .nothingTagged: fail("\(e)", code: 1)
            }
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
        if json {
            struct Out: Encodable { var format: String; var messages: Int; var files: Int; var groups: Int; var pictures: Int; var outputs: [String] }
            try printJSON(Out(format: "portable", messages: summary.messages, files: summary.files, groups: summary.groups,
                              pictures: summary.pictures, outputs: summary.outputs))
            return
        }
        print("portable: \(summary.messages) tagged message(s), \(summary.files) file(s), \(summary.groups) picture group(s), "
              + "\(summary.pictures) picture(s) written to \(out); open \(out)/index.html; check with: cd \(out) && sha256sum -c MANIFEST.sha256")
    }
}
