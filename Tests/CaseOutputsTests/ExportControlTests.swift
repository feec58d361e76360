import ExhibitTesting
import Foundation
import Testing

/// Every export format over a chat whose text holds control characters (BEL, ESC, SOH, DEL),
/// `]]>`, formula starts and a sender named like a spreadsheet function, plus an archive entry
/// whose name holds a control character: each output still opens in its consumer's parser
/// (Python's json, csv and expat), and the text comes back as text; on a terminal, as inert text.
@Suite("Export control characters", .serialized)
struct ExportControlTests {
    static let text = "bell\u{07} esc\u{1B}[31m soh\u{01} del\u{7F} ]]> end"

    /// A WhatsApp Android export (Python's zipfile) with the hostile lines, and `odd\u{01}name.txt`.
    static func caseDB(_ dir: TestDirectory) throws -> String {
        let zip = dir.path("controls.zip")
        let script = """
            import sys, zipfile
            path, text = sys.argv[1:3]
            nn = "\\u202f"
            lines = [
              f"8/28/24, 3:05{nn}PM - Eve: =HYPERLINK(\\"http://x.example\\",\\"click\\")",
              f"8/28/24, 3:06{nn}PM - Eve: {text}",
              f"8/28/24, 3:07{nn}PM - @SUM(A1): -2+3",
            ]
            with zipfile.ZipFile(path, "w") as z:
                z.writestr(zipfile.ZipInfo("WhatsApp Chat with Eve.txt", (2024, 8, 28, 15, 10, 0)), "\\n".join(lines) + "\\n")
                z.writestr(zipfile.ZipInfo("odd\\x01name.txt", (2024, 8, 27, 9, 0, 0)), b"x")
            """
        let r = try Run.command("/usr/bin/env", ["python3", "-c", script, zip, text])
        #expect(r.exitCode == 0, "zip: \(r.stderr)")
        let db = dir.path("case.sqlite")
        let ingest = try Fixture.ingest([zip], db: db, extra: ["--assume-tz", "Asia/Seoul"])
        #expect(ingest.exitCode == 0, "\(ingest.stderr)")
        return db
    }

    @Test func everyFormatStillParses() throws {
        let dir = try TestDirectory("export-controls")
        defer { dir.remove() }
        let db = try Self.caseDB(dir)
        let stored = try Fixture.open(db).read { try String.fetchAll($0, sql: "SELECT text FROM messages ORDER BY sequence") }
        #expect(stored.contains(Self.text), "the parser keeps the control characters: \(stored)")

        for format in ["timesketch", "csv", "case", "dfxml", "transcript"] {
            let r = try ExportFixture.export(db, format, dir.path("out.\(format)"))
            #expect(r.exitCode == 0, "\(format): \(r.stderr)")
        }
        let check = """
            import csv, json, sys, xml.etree.ElementTree as E
            d, text = sys.argv[1], sys.argv[2]
            # Timesketch: every line one JSON object; the message text comes back exactly.
            events = [json.loads(l) for l in open(d + "/out.timesketch", encoding="utf-8")]
            assert any(text in e["message"] for e in events), [e["message"] for e in events]
            # CSV: parses; no field a spreadsheet would run; the sender '@SUM(A1)' defused.
            rows = list(csv.reader(open(d + "/out.csv", encoding="utf-8", newline="")))
            for row in rows[1:]:
                for cell in row:
                    assert not cell[:1] in ("=", "+", "@", "\\t", "\\r") and not (cell[:1] == "-" and not cell[1:].replace(".", "").isdigit()), cell
            assert any("'@SUM(A1)" in row for row in rows), rows
            assert any(text in cell for row in rows for cell in row)
            # CASE JSON-LD: one JSON document holding the text.
            g = json.load(open(d + "/out.case", encoding="utf-8"))["@graph"]
            assert any(f.get("uco-observable:messageText") == text for n in g for f in n.get("uco-core:hasFacet", []))
            # DFXML: well-formed; the name with SOH is there with U+FFFD instead.
            root = E.parse(d + "/out.dfxml").getroot()
            names = [e.text for e in root.iter("{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}filename")]
            assert "controls.zip!/odd\\ufffdname.txt" in names, names
            # Transcript: the controls are replaced, the rest of the text is kept.
            html = open(d + "/out.transcript/0001-whatsapp.html", encoding="utf-8").read()
            assert "bell\\ufffd esc\\ufffd[31m soh\\ufffd del\\ufffd ]]&gt; end" in html
            assert "\\x1b" not in html and "\\x07" not in html
            print("ok")
            """
        let p = try ExportFixture.python(check, [dir.path(""), Self.text])
        #expect(p.exitCode == 0 && p.stdout.hasPrefix("ok"), "\(p.stdout)\(p.stderr)")
    }

    /// `exhibit timeline` prints evidence text to a terminal: no ESC, BEL or other control
    /// character gets through (they would recolour, move the cursor or rewrite earlier lines).
    @Test func timelineTableIsTerminalSafe() throws {
        let dir = try TestDirectory("timeline-controls")
        defer { dir.remove() }
        let db = try Self.caseDB(dir)
        let r = try Run.command(Fixture.exhibit, ["timeline", "--db", db, "--all"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("bell\u{FFFD} esc\u{FFFD}[31m soh\u{FFFD} del\u{FFFD} ]]> end"), "\(r.stdout)")
        #expect(r.stdout.contains("odd\u{FFFD}name.txt"))
        #expect(!r.stdout.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) })
    }

    /// The other table printers — messages, files, search, metadata — go through the same
    /// filter: the stored text keeps its bytes, the terminal never sees the controls.
    @Test func otherTablesAreTerminalSafe() throws {
        let dir = try TestDirectory("tables-controls")
        defer { dir.remove() }
        let db = try Self.caseDB(dir)
        for args in [["messages"], ["files"], ["search", "bell"], ["metadata", "controls.zip!/odd\u{01}name.txt"]] {
            let r = try Run.command(Fixture.exhibit, [args[0], "--db", db] + args.dropFirst())
            #expect(r.exitCode == 0 || r.exitCode == 5, "\(args): \(r.stderr)")
            #expect(!r.stdout.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7F...0x9F).contains($0.value) },
                    "\(args[0]) printed a control character")
            if args[0] == "messages" || args[0] == "search" { #expect(r.stdout.contains("\u{FFFD} esc\u{FFFD}[31m soh\u{FFFD}"), "\(r.stdout)") }
            if args[0] == "files" { #expect(r.stdout.contains("odd\u{FFFD}name.txt"), "\(r.stdout)") }
        }
    }

    /// `--force` replaces a file; given a directory, export and report refuse and leave it as it
    /// was (replacing it used to delete the directory and everything in it).
    @Test func forceNeverDeletesADirectory() throws {
        let dir = try TestDirectory("export-force-dir")
        defer { dir.remove() }
        let db = try Self.caseDB(dir)
        let keep = dir.path("keep")
        try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
        try Data("precious".utf8).write(to: URL(fileURLWithPath: keep + "/inside.txt"))
        for format in ["csv", "timesketch", "dfxml"] {
            let r = try ExportFixture.export(db, format, keep, ["--force"])
            #expect(r.exitCode == 1 && r.stderr.contains("directory"), "\(format): \(r.exitCode) \(r.stderr)")
        }
        let report = try Run.command(Fixture.exhibit, ["report", "--db", db, "--out", keep, "--force"])
        #expect(report.exitCode == 1, "\(report.stderr)")
        #expect((try? String(contentsOfFile: keep + "/inside.txt", encoding: .utf8)) == "precious")
        #expect(try FileManager.default.contentsOfDirectory(atPath: keep) == ["inside.txt"], "no .partial left behind")
        // A file is still replaced.
        let file = dir.path("t.csv")
        try Data("old".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try ExportFixture.export(db, "csv", file, ["--force"]).exitCode == 0)
        #expect(try ExportFixture.read(file).hasPrefix("utc,basis,"))
    }
}
