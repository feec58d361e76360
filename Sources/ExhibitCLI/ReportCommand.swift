import ArgumentParser
import CaseOutputs
import Engine
import EvidenceStore
import ExhibitKit
import ExhibitSupport
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the case report in court form: one self-contained, printable HTML file (and a PDF with --pdf).",
        discussion: """
        Sections: summary (evidence items, integrity, known-bad pictures grouped as exhibit
        spread --known groups them, the reviewer's work); case and examiner; evidence items with
        hashes and seizure-form check; audit log; findings by analyzer; known media with their
        spread; items tagged in exhibit serve; the timeline (case events apart from dates inside
        the archives); transcripts around tagged messages and known-bad pictures; chats; errors;
        the examiner's attestation. Footer: tool version, findings digest, time. Times are in
        the case's zone with UTC beside them.

        Tags and notes come from the review database of exhibit serve (CASE.review.sqlite
        beside the case, or --review-db); --tagged keeps only tagged items in the timeline
        and the transcripts. --pdf also prints the report to PDF (same name, .pdf) through
        headless Chromium; Korean text needs a CJK font (Debian's fonts-noto-cjk).

        The file has inline CSS only (no script, no network, no external resource) and prints
        with page numbers, each section on a new page. Times are shown in the case's declared
        zone with UTC beside them (--tz for another zone, --tz UTC for UTC only). Matched
        media are never shown.
        --thumbnails adds the other pictures, blurred; their bytes are read again from the
        evidence at its recorded path (the case database keeps no content), each checked
        against its recorded SHA-256.

        Examples:
          exhibit report --db case.sqlite --out report.html
          exhibit report --db case.sqlite --out aug.html --verify \\
              --from 2024-08-01 --to 2024-08-31
          exhibit report --db case.sqlite --out court.html --tagged --pdf

        The report of an incomplete case (an interrupted ingest) carries a
        banner on every page; so does one whose --verify failed.

        Exit codes: 0 written; 1 the database cannot be read or the output
        cannot be written (or --pdf could not print); 2 bad option; 4 --out
        exists (pass --force); with
        --verify, the report is written and the exit code is verify's when
        verification did not pass (3, 5, 6, 7: see exhibit verify).
        """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "Output HTML file.") var out: String
    @Option(help: "Timeline window start (ISO 8601; the case zone's wall clock unless it has an offset).") var from: String?
    @Option(help: "Timeline window end (a date-only T includes the whole local day).") var to: String?
    @Option(help: "Most timeline rows to print.") var timelineLimit: Int = 2000
    @Flag(help: "Re-hash the evidence and re-check the chain now, as exhibit verify does, and print the result.") var verify = false
    @Flag(help: "Add the case's pictures, blurred (read again from the evidence; never matched media).") var thumbnails = false
    @Option(help: "Folder for the private scratch directory (--verify, --thumbnails).")
    var tempDir: String = TemporaryDirectory.defaultRoot
    @Flag(help: "Replace an existing --out.") var force = false
    @OptionGroup var zone: ZoneOption

    func validate() throws { try TimeWindow.validate(from: from, to: to) }

    @Option(help: "Review database with the tags and notes of exhibit serve (default: CASE.review.sqlite beside the case, when it exists).")
    var reviewDb: String?
    @Flag(help: "Only the reviewer's tagged items in the timeline and the transcripts.") var tagged = false
    @Flag(help: "Also print the report to PDF (the --out name with .pdf) through headless Chromium.") var pdf = false
    @Option(help: "Examiner named in the attestation block (default: the case's examiner).") var examiner: String?

    /// The PDF beside `--out`: `report.html` → `report.pdf`.
    var pdfPath: String {
        (out.lowercased().hasSuffix(".html") ? String(out.dropLast(5)) : out.lowercased().hasSuffix(".htm") ? String(out.dropLast(4)) : out) + ".pdf"
    }

    func run() throws {
        var options = ReportOptions(timelineLimit: max(0, timelineLimit), toolVersion: ExhibitVersion.current, overwrite: force)
        let clock = zone.clock(path: database.db)
        options.displayClock = clock
        let window = TimeWindow(from: from, to: to, clock: clock)
        options.fromMicros = window.fromMicros
        options.beforeMicros = window.beforeMicros
        if FileManager.default.fileExists(atPath: out) && !force { fail("\(out): already exists; choose another --out path or pass --force", code: 4) }
        if pdf && FileManager.default.fileExists(atPath: pdfPath) && !force { fail("\(pdfPath): already exists; choose another --out path or pass --force", code: 4) }
        options.taggedOnly = tagged
        options.attestingExaminer = examiner
        let review = reviewDb ?? ReviewDatabase.sidecarPath(forCase: database.db)
        if FileManager.default.fileExists(atPath: review) {
            do { options.review = try ReportReview.read(path: review) } catch { fail("\(review): \(error)", code: 1) }
        } else if reviewDb != nil {
            fail("\(review): no such review database", code: 1)
        } else if tagged {
            fail("--tagged: no review database beside the case (\(review)); tag items in exhibit serve first, or name one with --review-db", code: 1)
        }
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
            if pdf {
                do {
                    try ChromiumPrinter.print(html: out, to: pdfPath, temporaryRoot: tempDir)
                    print("PDF printed to \(pdfPath)")
                } catch {
                    fail("\(pdfPath): \(error)", code: 1)
                }
            }
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
