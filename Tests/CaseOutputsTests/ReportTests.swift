import ExhibitTesting
import Foundation
import GRDB
import Testing

/// `exhibit report`: one self-contained HTML file, rendered by Debian's headless Chromium.
@Suite("Report", .serialized)
struct ReportTests {
    static let sections = ["summary", "case", "evidence", "audit", "analyzers", "known-media", "tagged", "timeline", "transcripts", "chats",
                           "problems", "thumbnails", "attestation"]

    /// Chromium renders the report to a PNG with ink on it and prints it to a PDF with one page
    /// per section and page numbers (read back with Ghostscript); the HTML has every section,
    /// the chain head, the digest, and no way to load anything.
    @Test func rendersInChromium() throws {
        let dir = try TestDirectory("report-render")
        defer { dir.remove() }
        let db = try ExportFixture.caseDB(dir)
        let html = dir.path("report.html")
        let r = try Run.command(Fixture.exhibit, ["report", "--db", db, "--out", html, "--verify"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let text = try ExportFixture.read(html)
        for s in Self.sections { #expect(text.contains("<section id=\"\(s)\">"), "section \(s)") }
        let digest = try Fixture.digest(db)
        #expect(text.contains(digest), "footer carries the findings digest")
        let head = try Fixture.open(db).read { try String.fetchOne($0, sql: "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1") } ?? "?"
        #expect(text.contains(head) && text.contains(">intact</span>"))
        #expect(text.contains("ok   evidence phone-dump.zip"), "--verify lines are in the report")
        #expect(text.contains("Hash sets: none imported") && text.contains("No file matched a known-bad set."))
        #expect(text.contains("Photo Taken") || text.contains("photo.taken"))
        for load in ["<script", "src=\"http", "href=\"http", "url(", "@import", "<link"] { #expect(!text.contains(load), "\(load)") }

        let png = dir.path("shot.png"), pdf = dir.path("report.pdf")
        let chrome = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-pdf-header-footer"]
        let shot = try Run.command("/usr/bin/chromium", chrome + ["--window-size=900,1200", "--screenshot=\(png)", "file://\(html)"])
        #expect(shot.exitCode == 0, "\(shot.stderr)")
        let ink = try Run.command("/usr/bin/env", ["python3", Corpus.packageRoot().appendingPathComponent("Tests/Scripts/png_ink.py").path, png])
        let parts = ink.stdout.split(separator: " ")
        #expect(ink.exitCode == 0 && parts.count == 3 && parts[0] == "900" && parts[1] == "1200", "\(ink.stdout)\(ink.stderr)")
        let share = parts.count == 3 ? Double(parts[2].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 : 0
        #expect(share > 0.01 && share < 0.6, "a rendered page, not a blank or black one: \(share)")

        let print = try Run.command("/usr/bin/chromium", chrome + ["--print-to-pdf=\(pdf)", "file://\(html)"])
        #expect(print.exitCode == 0, "\(print.stderr)")
        let pages = try Run.command("/usr/bin/gs", ["-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=txtwrite", "-o", "-", pdf])
        let count = Self.sections.count
        #expect(pages.stdout.contains("Page 1 of "), "page numbers in the margin")
        #expect((try? Regex("Page \\d+ of \\d+")).map { pages.stdout.matches(of: $0).count >= count } ?? false,
                "each section starts a page: \(pages.stdout.suffix(300))")
        #expect(pages.stdout.contains("Evidence items") && pages.stdout.contains("Audit log"))
    }

    /// Hostile chat titles, senders and texts appear as text in the report, never as markup.
    @Test func escapesHostileChatText() throws {
        let dir = try TestDirectory("report-escape")
        defer { dir.remove() }
        let db = try ExportFixture.caseDB(dir)
        let html = dir.path("report.html")
        let r = try Run.command(Fixture.exhibit, ["report", "--db", db, "--out", html])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let text = try ExportFixture.read(html)
        for markup in ["<script", "<img src=x", "<h1>injected", "<b>Eve"] { #expect(!text.contains(markup), "unescaped \(markup)") }
        #expect(text.contains("&lt;b&gt;Eve&lt;/b&gt;"), "the hostile chat title is listed, escaped")
        #expect(text.contains("&lt;script&gt;"), "the hostile message is in the timeline, escaped")
        #expect(try Run.command(Fixture.exhibit, ["report", "--db", db, "--out", html]).exitCode == 4, "no silent overwrite")
    }

    /// `--thumbnails` puts the case's pictures in, blurred, read again from the evidence and
    /// checked against their recorded SHA-256; without it, no image bytes at all.
    @Test func thumbnailsOnlyWhenAsked() throws {
        let dir = try TestDirectory("report-thumbs")
        defer { dir.remove() }
        let db = try ExportFixture.caseDB(dir)
        let plain = dir.path("plain.html"), thumbs = dir.path("thumbs.html")
        #expect(try Run.command(Fixture.exhibit, ["report", "--db", db, "--out", plain]).exitCode == 0)
        #expect(try Run.command(Fixture.exhibit, ["report", "--db", db, "--out", thumbs, "--thumbnails"]).exitCode == 0)
        #expect(!(try ExportFixture.read(plain)).contains("data:image/"))
        let text = try ExportFixture.read(thumbs)
        let images = try Fixture.open(db).read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM files WHERE kind = 'file' AND mime IN ('image/jpeg','image/png','image/gif','image/webp')")
        } ?? -1
        #expect(images > 0)
        #expect(text.components(separatedBy: "src=\"data:image/").count - 1 == images)
        #expect(text.contains("filter:blur("))
    }

    /// A real import before a real ingest: a SHA-256 list naming the Telegram copy of the sample's
    /// concert picture (its name needs escaping) and a PDQ list with that picture's reference PDQ
    /// (corpora/sample-case/known-bad/pdq.txt, from PyPI pdqhash). The ingest's media-hash
    /// analyzer and matcher fill `known_media`. The report lists every match and each matched
    /// content's spread — every message that carried it, every copy — and never shows a matched
    /// picture, even with --thumbnails, while the others are shown.
    @Test func knownMediaWithSpread() throws {
        let dir = try TestDirectory("report-known")
        defer { dir.remove() }
        let db = dir.path("case.sqlite")
        let telegramCopy = "b6b7842eb7b028c2a165df96488b1905fe7ec863a76cc0f87f83822e1f1d5a8c"
        let shaList = dir.path("sha256.txt"), pdqList = dir.path("pdq.txt")
        try "\(telegramCopy)  photo_1.jpg\n".write(toFile: shaList, atomically: true, encoding: .utf8)
        let reference = try String(contentsOf: Corpus.url("sample-case/known-bad/pdq.txt"), encoding: .utf8)
            .split(separator: "\n").first { !$0.hasPrefix("#") }.flatMap { $0.split(separator: ",").first }.map(String.init) ?? ""
        #expect(reference.count == 64)
        try "\(reference),100,concert\n".write(toFile: pdqList, atomically: true, encoding: .utf8)
        for (name, algorithm, list) in [("Case 2023-17 <set>", "sha256", shaList), ("case-pdq", "pdq", pdqList)] {
            let r = try Run.command(Fixture.exhibit, ["hashset", "import", "--db", db, "--name", name, "--kind", "known-bad", "--algorithm", algorithm, list])
            #expect(r.exitCode == 0, "\(r.stderr)")
        }
        let ingest = try Fixture.ingest([Corpus.url("sample-case/phone-dump.zip").path, Corpus.url("sample-case/pc-export.tar.gz").path],
                                        db: db, extra: ["--assume-tz", "Asia/Seoul"])
        #expect(ingest.exitCode == 0, "\(ingest.stderr)")

        let queue = try Fixture.open(db)
        let matched = try queue.read { c in
            try Row.fetchAll(c, sql: "SELECT DISTINCT file_id, path, sha256 FROM known_media WHERE kind = 'known-bad' ORDER BY path")
        }
        let paths = Set(matched.map { $0[1] as String })
        // Every copy of the concert picture (3 Telegram, 2 WhatsApp, camera, turned, shrunk), nothing else.
        #expect(paths.count == 8 && paths.allSatisfy { !$0.contains("IMG_20240829") && !$0.contains("Screenshot") }, "\(paths.sorted())")
        let html = dir.path("report.html")
        let r = try Run.command(Fixture.exhibit, ["report", "--db", db, "--out", html, "--thumbnails"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let text = try ExportFixture.read(html)
        #expect(!text.contains("No hash sets imported") && !text.contains("No file matched a known-bad set"))
        // Names without right-to-left text need no isolate (issue 19: only text that can
        // reorder its surroundings is put in <bdi>; HostileDisplayTests covers that case).
        #expect(text.contains("Case 2023-17 &lt;set&gt; (known-bad, 1 entries)")
                && text.contains("case-pdq (known-bad, 1 entries)"))
        for p in paths { #expect(text.contains(p), "match \(p) listed") }
        for sha in Set(matched.map { $0[2] as String }) {
            #expect(text.contains("Spread of <span class=\"mono\">\(sha)</span>"), "spread of \(sha)")
        }
        let (copies, sent) = try queue.read { c in
            (try Int.fetchOne(c, sql: "SELECT count(*) FROM files WHERE sha256 = ?", arguments: [telegramCopy]) ?? 0,
             try Int.fetchOne(c, sql: "SELECT count(*) FROM attachments WHERE sha256 = ?", arguments: [telegramCopy]) ?? 0)
        }
        #expect(copies == 3 && sent >= 1)
        #expect(text.contains("\(sent) message(s) in") && text.contains("\(copies) file copies"), "\(copies) \(sent)")

        // No matched picture's bytes are in the report; every other picture's are, blurred.
        let pictures = try queue.read { c in
            try Row.fetchAll(c, sql: "SELECT id, path FROM files WHERE kind = 'file' AND mime IN ('image/jpeg','image/png','image/gif','image/webp')")
        }
        let matchedIDs = Set(matched.map { $0[0] as Int64 })
        let others = pictures.filter { !matchedIDs.contains($0[0] as Int64) }
        #expect(others.count >= 2)
        #expect(text.components(separatedBy: "src=\"data:image/").count - 1 == others.count, "every picture but the matched ones")
        let check = """
            import base64, sys, zipfile
            text = open(sys.argv[1], encoding="utf-8").read()
            z = zipfile.ZipFile(sys.argv[2])
            for arg in sys.argv[3:]:
                want, name = arg[0], arg[2:]
                there = base64.b64encode(z.read(name)).decode() in text
                if there != (want == "+"): print("wrong:", name, there)
            print("ok")
            """
        let phone = "phone-dump.zip!/"
        let args = (matched.map { ("-", $0[1] as String) } + others.map { ("+", $0[1] as String) })
            .filter { $0.1.hasPrefix(phone) }.map { "\($0.0) \($0.1.dropFirst(phone.count))" }
        #expect(args.contains { $0.hasPrefix("-") } && args.contains { $0.hasPrefix("+") })
        let p = try ExportFixture.python(check, [html, Corpus.url("sample-case/phone-dump.zip").path] + args)
        #expect(p.exitCode == 0 && p.stdout == "ok\n", "\(p.stdout)\(p.stderr)")
    }
}
