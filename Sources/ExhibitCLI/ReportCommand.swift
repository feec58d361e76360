import ArgumentParser
import Engine
import EvidenceStore
import ExhibitKit
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the case report: one self-contained, printable HTML file.",
        discussion: """
        Sections: case and examiner; evidence items with hashes and seizure-form check; audit log,
        chain status and head hash; findings by analyzer; known media (hash-set matches) with
        their spread across chats; the timeline of the selected window; chats; errors and what
        could not be examined. Footer: tool version, findings digest (exhibit digest), time.

        The file has inline CSS only (no script, no network, no external resource) and prints
        with page numbers, each section on a new page. Matched media are never shown.
        --thumbnails adds the other pictures, blurred; their bytes are read again from the
        evidence at its recorded path (the case database keeps no content), each checked
        against its recorded SHA-256.

        Examples:
          exhibit report --db case.sqlite --out report.html
          exhibit report --db case.sqlite --out aug.html --from 2024-08-01 --to 2024-08-31 --verify

        The report of an incomplete case (an interrupted ingest) carries a
        banner on every page; so does one whose --verify failed.

        Exit codes: 0 written; 1 the database cannot be read or the output
        cannot be written; 2 bad option; 4 --out exists (pass --force); with
        --verify, the report is written and the exit code is verify's when
        verification did not pass (3, 5, 6, 7: see exhibit verify).
        """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "Output HTML file.") var out: String
    @Option(help: "Timeline window start (ISO 8601; UTC unless it has an offset).") var from: String?
    @Option(help: "Timeline window end (a date-only T includes the whole day).") var to: String?
    @Option(help: "Most timeline rows to print.") var timelineLimit: Int = 2000
    @Flag(help: "Re-hash the evidence and re-check the chain now, as exhibit verify does, and print the result.") var verify = false
    @Flag(help: "Add the case's pictures, blurred (read again from the evidence; never matched media).") var thumbnails = false
    @Option(help: "Folder for the private scratch directory (--verify, --thumbnails).")
    var tempDir: String = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    @Flag(help: "Replace an existing --out.") var force = false

    func run() throws {
        var options = ReportOptions(timelineLimit: max(0, timelineLimit), toolVersion: ExhibitVersion.current, overwrite: force)
        let window = TimeWindow(from: from, to: to)
        options.fromMicros = window.fromMicros
        options.beforeMicros = window.beforeMicros
        if FileManager.default.fileExists(atPath: out) && !force { fail("\(out): already exists; choose another --out path or pass --force", code: 4) }
        var verdict: CaseVerifier.Report?
        if verify {
            do {
                let r = try CaseVerifier.verify(databasePath: database.db, temporaryRoot: tempDir)
                options.verification = r.lines + [r.verdict]
                verdict = r
            } catch {
                fail("\(database.db): \(error)", code: 1)
            }
        }
        if let why = try? CaseVerifier.incompleteness(databasePath: database.db) {
            options.banner = why.contains(CaseVerifier.refusedMark)
                ? "INCOMPLETE CASE: \(why), before relying on this report."
                : "INCOMPLETE CASE: \(why). Re-run the same command to finish before relying on this report."
        } else if let verdict, verdict.exitCode != 0 {
            options.banner = "VERIFICATION FAILED: \(verdict.verdict). See the evidence section."
        }
        if thumbnails {
            do {
                let result = try ThumbnailReader.read(databasePath: database.db, temporaryRoot: tempDir)
                options.thumbnails = result.images
                options.thumbnailNote = result.note
            } catch {
                options.thumbnailNote = "Thumbnails could not be read: \(error)"
            }
        }
        do {
            let db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true)
            let digest = try db.writeReport(to: out, options: options)
            print("report written to \(out) (findings digest \(digest))")
            if let verdict, verdict.exitCode != 0 {
                // The report is written (it says what failed), but a script must not read success.
                fail("\(verdict.verdict) (see the report's evidence section)", code: verdict.exitCode)
            }
        } catch let e as ExportError {
            fail("\(e)", code: 1)
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
    }
}
