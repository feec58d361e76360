import ExhibitTesting
import Foundation
import GRDB
import Testing

/// The sample case (corpora/sample-case) plus a hostile chat export, ingested by the real binary:
/// the input of the export and report tests.
enum ExportFixture {
    /// Text a transcript or report must never let through as markup.
    static let hostileText = "<script>alert('x')</script> & 사진 \"quoted\""
    static let hostileSender = "<img src=x onerror=alert(1)>"

    /// A zip made with Python's zipfile: a WhatsApp Android export whose title, sender and
    /// text are HTML, its attachment, and a file whose name holds a bodyfile separator (`|`),
    /// a percent escape and a non-ASCII name.
    static func hostileZip(in dir: TestDirectory) throws -> String {
        let path = dir.path("hostile.zip")
        let script = """
            import sys, zipfile
            path, sender, text = sys.argv[1:4]
            nn = "\\u202f"
            lines = [
              f"8/28/24, 3:05{nn}PM - Eve: hello",
              f"8/28/24, 3:06{nn}PM - {sender}: {text}",
              f"8/28/24, 3:07{nn}PM - Eve: \\u200eIMG-20240828-WA0009.jpg (file attached)",
              f"8/28/24, 3:08{nn}PM - Eve: </td></tr></table><h1>injected</h1>",
            ]
            with zipfile.ZipFile(path, "w") as z:
                z.writestr(zipfile.ZipInfo("chat/WhatsApp Chat with <b>Eve</b>.txt", (2024, 8, 28, 15, 10, 0)), "\\n".join(lines) + "\\n")
                z.writestr(zipfile.ZipInfo("chat/IMG-20240828-WA0009.jpg", (2024, 8, 28, 15, 7, 0)), b"attachment bytes")
                z.writestr(zipfile.ZipInfo("evil|pipe%41 파일.txt", (2024, 8, 27, 9, 0, 0)), b"pipe")
            """
        let r = try Run.command("/usr/bin/env", ["python3", "-c", script, path, hostileSender, hostileText])
        #expect(r.exitCode == 0, "hostile zip: \(r.stderr)")
        return path
    }

    /// Ingests the sample case and the hostile zip into `case.sqlite` in `dir`, naive local
    /// times read in `zone` (`nil`: no zone, those times have basis `unknown` and no UTC).
    static func caseDB(_ dir: TestDirectory, zone: String? = "Asia/Seoul") throws -> String {
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([Corpus.url("sample-case/phone-dump.zip").path,
                                    Corpus.url("sample-case/pc-export.tar.gz").path, try hostileZip(in: dir)],
                                   db: db, extra: (zone.map { ["--assume-tz", $0] } ?? []) + ["--item", "phone-dump.zip=ITEM-1"])
        #expect(r.exitCode == 0, "ingest failed: \(r.stderr)")
        return db
    }

    /// `exhibit export` with the given format.
    @discardableResult
    static func export(_ db: String, _ format: String, _ out: String, _ extra: [String] = []) throws -> CommandResult {
        try Run.command(Fixture.exhibit, ["export", "--db", db, "--format", format, "--out", out] + extra)
    }

    /// Runs a Python check script with arguments; the script prints `ok` last when it passes.
    static func python(_ script: String, _ args: [String]) throws -> CommandResult {
        try Run.command("/usr/bin/env", ["python3", "-c", script] + args)
    }

    static func read(_ path: String) throws -> String { try CLIFixture.readText(path) }
}
