import CaseOutputs
import EvidenceStore
import ExhibitTesting
import Foundation
import Testing

/// `exhibit report` in court form after a review: the summary first with the numbers of
/// `exhibit spread --known`, times in the case's zone with UTC beside them, the tagged items,
/// transcripts, the attestation, no CLI instructions, and a PDF (headless Chromium) whose
/// Korean text comes out as Korean.
@Suite("ReviewReport", .serialized)
struct ReviewReportTests {
    /// Tags three messages and a picture group through the API (as the pages do); returns the
    /// review database, the tagged message ids and the court lines the server showed.
    static func review(_ db: String, _ dir: TestDirectory, name: String) async throws -> (path: String, messages: [Int], lines: [String]) {
        let server = try ServeProcess(db: db, dir: dir, name: name)
        defer { server.stop() }
        let chats = try #require(try await HTTP.object(server.base + "/api/chats")["rows"] as? [[String: Any]])
        let kakao = try #require(chats.first { $0["platform"] as? String == "kakaotalk" })
        let messages = try #require(try await HTTP.object(server.base + "/api/chats/\(kakao["id"] ?? 0)/messages")["rows"] as? [[String: Any]])
        let photo = try #require(messages.first { $0["text"] as? String == "사진" }?["id"] as? Int)
        let deleted = try #require(messages.first { $0["deleted"] as? Bool == true }?["id"] as? Int)
        let wa = try #require(chats.first { $0["platform"] as? String == "whatsapp" && ($0["title"] as? String ?? "").contains("Minji") })
        let waMessages = try #require(try await HTTP.object(server.base + "/api/chats/\(wa["id"] ?? 0)/messages")["rows"] as? [[String: Any]])
        let carrier = try #require(waMessages.first { (($0["attachments"] as? [[String: Any]]) ?? []).contains { $0["knownBad"] as? Bool == true } }?["id"] as? Int)
        for id in [photo, deleted, carrier] {
            let r = try await HTTP.post(server.base + "/api/review/tag", json: ["target": "message", "id": String(id), "tag": "relevant"])
            try #require(r.status == 200, "\(r.text)")
        }
        _ = try await HTTP.post(server.base + "/api/review/note", json: ["target": "message", "id": String(photo), "text": "<b>보낸 사진</b>"])
        let known = try await HTTP.array(server.base + "/api/known")
        let group = try #require(known.first?["content"] as? String)
        _ = try await HTTP.post(server.base + "/api/review/tag", json: ["target": "group", "id": group, "tag": "known-bad"])
        return (dir.path("\(name).review.sqlite"), [photo, deleted, carrier], known.compactMap { $0["courtLine"] as? String })
    }

    /// The text of one `<section id="…">` of the report.
    static func section(_ html: String, _ id: String) -> String {
        guard let start = html.range(of: "<section id=\"\(id)\">") else { return "" }
        let rest = html[start.upperBound...]
        return String(rest[..<(rest.range(of: "</section>")?.lowerBound ?? rest.endIndex)])
    }

    /// Visible text: tags removed, entities left (enough to look for words).
    static func visible(_ html: String) -> String {
        html.replacingOccurrences(of: "<style>[\\s\\S]*?</style>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
    }

    @Test func courtFormMatchesSpreadAndPrintsKoreanToPDF() async throws {
        let (dir, db) = try SharedCase.get()
        let (reviewDB, tagged, lines) = try await Self.review(db, dir, name: "court")
        try #require(!lines.isEmpty)
        let html = dir.path("court.html"), pdf = dir.path("court.pdf")
        let r = try Run.command(ReviewFixture.exhibit, ["report", "--db", db, "--review-db", reviewDB, "--out", html, "--pdf", "--force"])
        try #require(r.exitCode == 0, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("PDF printed to \(pdf)"))
        let text = try String(contentsOfFile: html, encoding: .utf8)

        // The summary comes first, the attestation last.
        let order = ReportSection.allCases.map { text.range(of: "<section id=\"\($0.rawValue)\">")?.lowerBound }
        try #require(order.allSatisfy { $0 != nil }, "\(order)")
        #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())
        #expect(ReportSection.allCases.first == .summary && ReportSection.allCases.last == .attestation)

        // Summary: one court line per picture group, exactly as the server's overview printed
        // it, and the numbers of `exhibit spread --known`.
        let summary = Self.section(text, "summary")
        let summaryText = summary.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
        for line in lines { #expect(summaryText.contains(line), "summary lacks \(line)") }
        let spread = try Run.command(ReviewFixture.exhibit, ["spread", "--db", db, "--known", "--json"])
        let cli = try #require(try JSONSerialization.jsonObject(with: Data(spread.stdout.utf8)) as? [[String: Any]])
        try #require(cli.count == lines.count)
        for c in cli {
            let files = (c["files"] as? [Any])?.count ?? -1, rooms = c["rooms"] as? Int ?? -1, senders = c["senders"] as? Int ?? -1
            let messages = (c["messages"] as? [Any])?.count ?? -1
            let content = c["content"] as? String ?? "?", sets = (c["hashsets"] as? [String] ?? []).joined(separator: ", ")
            #expect(summaryText.contains("\(content.prefix(20))… — \(files) \(files == 1 ? "copy" : "copies") — shared in \(rooms) room\(rooms == 1 ? "" : "s") by \(senders) sender\(senders == 1 ? "" : "s"), first 20"), "\(content)")
            #expect(summary.contains("<td><span class=\"mono\">\(content)</span><br>\(sets)</td><td>\(files)</td><td>\(messages)</td><td>\(rooms)</td><td>\(senders)</td>"), "\(content)")
        }
        #expect(summary.contains("matches the seizure form") || summary.contains("no hash from the seizure form"))
        #expect(summary.contains("Audit log: <span class=\"ok\">intact</span>"))
        #expect(summary.contains("3 message(s), 1 picture group(s), 0 file(s) and 0 event(s) tagged; 1 note(s)"), "\(summary)")

        // Times in Seoul with UTC beside them; the raw value where the source did not record UTC.
        #expect(text.contains("Times are shown in the case's time zone, Asia/Seoul, with UTC beside them."))
        let timeline = Self.section(text, "timeline")
        #expect(timeline.contains("<span class=\"local\">2024-08-28 15:") && timeline.contains("<span class=\"utc\">UTC 2024-08-28T06:"))
        #expect(timeline.contains("assumed-zone · as found: “"), "a naive local time shows its raw value")
        // Archive-internal dates apart from the case's events.
        let split = try #require(timeline.range(of: "<h3>Dates inside the archives"))
        #expect(!timeline[..<split.lowerBound].contains("<td>file.modified</td>") && timeline[split.upperBound...].contains("<td>file.modified</td>"))
        #expect(timeline[..<split.lowerBound].contains("<td>message.sent</td>"))

        // Tagged items and transcripts: the three messages in focus, the device owner marked,
        // the known-bad attachment flagged and never shown, the note as text.
        let taggedSection = Self.section(text, "tagged")
        #expect(taggedSection.contains("&lt;b&gt;보낸 사진&lt;/b&gt;") && taggedSection.contains("relevant") && taggedSection.contains("known-bad"))
        let transcripts = Self.section(text, "transcripts")
        #expect(transcripts.components(separatedBy: "<tr class=\"focus").count - 1 >= tagged.count, "\(transcripts.prefix(2000))")
        #expect(transcripts.contains("회원님 <span class=\"badge\">device owner</span>"))
        #expect(transcripts.contains("KNOWN-BAD picture (not shown)") && transcripts.contains("<span class=\"mark\">deleted</span>"))
        #expect(!text.contains("data:image/"), "no picture bytes at all")

        // The attestation names the examiner and pins the digest.
        let attestation = Self.section(text, "attestation")
        let digest = try Run.command(ReviewFixture.exhibit, ["digest", "--db", db]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(attestation.contains("I, Tester, examined the evidence item(s)") && attestation.contains("Signature"))
        #expect(!digest.isEmpty && attestation.contains(digest.split(separator: " ").last.map(String.init) ?? "?"), "\(digest)")

        // No CLI instructions anywhere in the text a reader sees.
        let words = Self.visible(text)
        let cli_ = try Regex("exhibit (verify|export|report|digest|hashset|serve|spread|timeline|ingest|messages|search|case)\\b|\\s--[a-z]")
        #expect(words.firstMatch(of: cli_) == nil, "\(words.firstMatch(of: cli_).map { String(words[$0.range]) } ?? "")")

        // The PDF: Chromium printed it with a CJK font, so Korean comes back out as Korean.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: pdf))
        #expect(bytes.prefix(5) == Data("%PDF-".utf8))
        #expect(bytes.range(of: Data("NotoSansCJK".utf8)) != nil, "the Korean text is set in Noto Sans CJK")
        let pages = try Run.command("/usr/bin/gs", ["-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=txtwrite", "-o", "-", pdf])
        #expect(pages.exitCode == 0, "\(pages.stderr)")
        for phrase in ["Summary", "Examiner's attestation", "민지", "회원님", "Page 1 of "] {
            #expect(pages.stdout.contains(phrase), "\(phrase) not in the PDF text")
        }
        #expect(try Run.command(ReviewFixture.exhibit, ["report", "--db", db, "--review-db", reviewDB, "--out", html, "--pdf"]).exitCode == 4)
    }

    /// `--tagged` keeps only the reviewer's items in the timeline and the transcripts; without a
    /// review database it refuses (exit 1) instead of printing an empty report.
    @Test(.tags(.timeZone)) func taggedOnlyNarrowsTimelineAndTranscripts() async throws {
        let (dir, db) = try SharedCase.get()
        let (reviewDB, tagged, _) = try await Self.review(db, dir, name: "court-tagged")
        let full = dir.path("full.html"), only = dir.path("only.html")
        #expect(try Run.command(ReviewFixture.exhibit, ["report", "--db", db, "--review-db", reviewDB, "--out", full, "--force"]).exitCode == 0)
        let r = try Run.command(ReviewFixture.exhibit, ["report", "--db", db, "--review-db", reviewDB, "--out", only, "--tagged", "--force"])
        try #require(r.exitCode == 0, "\(r.stderr)")
        let a = try String(contentsOfFile: full, encoding: .utf8), b = try String(contentsOfFile: only, encoding: .utf8)
        let count = { (html: String) -> Int in
            let t = Self.section(html, "timeline")
            guard let r = t.range(of: " event(s) ") else { return -1 }
            return Int(t[..<r.lowerBound].reversed().prefix { $0.isNumber }.reversed().map(String.init).joined()) ?? -1
        }
        #expect(count(b) > 0 && count(b) < count(a), "\(count(a)) \(count(b))")
        #expect(Self.section(b, "timeline").contains("of the items the reviewer tagged"))
        // The group is tagged, so its copies' events stay; the messages' events stay.
        #expect(Self.section(b, "transcripts").components(separatedBy: "<tr class=\"focus").count - 1 == tagged.count)
        #expect(Self.section(a, "transcripts").components(separatedBy: "<tr class=\"focus").count - 1 >= tagged.count)
        let none = try Run.command(ReviewFixture.exhibit, ["report", "--db", db, "--review-db", dir.path("missing.review.sqlite"), "--out", only, "--force"])
        #expect(none.exitCode == 1 && none.stderr.contains("no such review database"), "\(none.stderr)")
        // The attesting examiner can be named; a Chromium that fails leaves the HTML and exits 1.
        let named = try Run.command(ReviewFixture.exhibit, ["report", "--db", db, "--out", only, "--force", "--examiner", "Kim Examiner",
                                                            "--review-db", reviewDB, "--pdf"], environment: ["EXHIBIT_CHROMIUM": "/bin/false"])
        #expect(named.exitCode == 1 && named.stderr.contains("Chromium exited with status 1 without writing the PDF"), "\(named.stderr)")
        #expect(Self.section(try String(contentsOfFile: only, encoding: .utf8), "attestation").contains("I, Kim Examiner, examined"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("only.pdf")))
    }

    /// A tagged hostile message (markup, a `javascript:` link, an RTL override) is transcribed
    /// as text: escaped, the override shown as a visible mark, no element made of it.
    @Test func hostileTextInTranscriptsStaysText() async throws {
        let (dir, db) = try SharedCase.get()
        let server = try ServeProcess(db: db, dir: dir, name: "court-hostile")
        defer { server.stop() }
        let chats = try #require(try await HTTP.object(server.base + "/api/chats")["rows"] as? [[String: Any]])
        let mallory = try #require(chats.first { ($0["title"] as? String ?? "").contains("Mallory") })
        let rows = try #require(try await HTTP.object(server.base + "/api/chats/\(mallory["id"] ?? 0)/messages")["rows"] as? [[String: Any]])
        let hostile = try #require(rows.first { ($0["text"] as? String ?? "").contains("<script>") }?["id"] as? Int)
        #expect(try await HTTP.post(server.base + "/api/review/tag", json: ["target": "message", "id": String(hostile), "tag": "relevant"]).status == 200)
        server.stop()
        let html = dir.path("hostile.html")
        let r = try Run.command(ReviewFixture.exhibit, ["report", "--db", db, "--review-db", dir.path("court-hostile.review.sqlite"), "--out", html, "--tagged", "--force"])
        try #require(r.exitCode == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: html, encoding: .utf8)
        let transcripts = Self.section(text, "transcripts")
        #expect(transcripts.contains("&lt;script&gt;document.title=&#39;owned&#39;&lt;/script&gt; javascript:alert(1) ⟨U+202E⟩gnp.exe")
                || transcripts.contains("&lt;script&gt;document.title='owned'&lt;/script&gt; javascript:alert(1) ⟨U+202E⟩gnp.exe"), "\(transcripts.prefix(3000))")
        #expect(transcripts.contains("Mallory &lt;i&gt;x&lt;/i&gt;"))
        for markup in ["<script", "<i>x", "href=\"javascript:", "\u{202E}"] { #expect(!text.contains(markup), "\(markup)") }
    }

    /// A case whose examiner declared no zone says so and prints UTC alone (never the machine's
    /// zone: the suite runs under TZ=America/New_York in `make test`).
    @Test func aCaseWithoutAZoneIsInUTC() throws {
        let dir = try TestDirectory("review-nozone")
        defer { dir.remove() }
        let db = dir.path("case.sqlite"), html = dir.path("report.html")
        let ingest = try Run.command(ReviewFixture.exhibit, ["ingest", Corpus.url("sample-case/pc-export.tar.gz").path, "--db", db, "--case", "NZ-1"])
        try #require(ingest.exitCode == 0, "\(ingest.stderr)")
        let r = try Run.command(ReviewFixture.exhibit, ["report", "--db", db, "--out", html])
        try #require(r.exitCode == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: html, encoding: .utf8)
        #expect(text.contains("No time zone was declared for this case: times are shown in UTC."))
        #expect(Self.section(text, "summary").contains("<dt>Time zone</dt><dd>none declared (times in UTC)</dd>"))
        #expect(Self.section(text, "case").contains("none declared (naive local times have basis unknown)"))
        let timeline = Self.section(text, "timeline")
        #expect(timeline.contains("<span class=\"local\">2024-08-28T06:12:03Z UTC</span>"), "\(timeline.prefix(2000))")
        #expect(!timeline.contains("+09:00") && !timeline.contains("-04:00") && !timeline.contains("-05:00"))
    }

    /// A case with a recovered deleted WhatsApp message (corpora/phone/whatsapp/deleted/secure-off)
    /// and a Telegram group whose service message invites members (corpora/chat/telegram/full):
    /// the thread page marks the recovered record (in Chromium), the API says `recovered`, and
    /// the report's transcripts carry both marks.
    @Test func recoveredRecordsAndInvitedMembersAreMarked() async throws {
        let dir = try TestDirectory("review-recovered")
        defer { dir.remove() }
        let databases = dir.path("phone/data/data/com.whatsapp/databases")
        try FileManager.default.createDirectory(atPath: databases, withIntermediateDirectories: true)
        let src = Corpus.url("phone/whatsapp/deleted/secure-off")
        for name in try FileManager.default.contentsOfDirectory(atPath: src.path).sorted() {
            try FileManager.default.copyItem(atPath: src.appendingPathComponent(name).path, toPath: databases + "/" + name)
        }
        try FileManager.default.createDirectory(atPath: dir.path("telegram"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Corpus.url("chat/telegram/full/result.json").path, toPath: dir.path("telegram/result.json"))
        let db = dir.path("case.sqlite")
        let ingest = try Run.command(ReviewFixture.exhibit, ["ingest", dir.path("phone"), dir.path("telegram"), "--db", db, "--case", "REC-1",
                                                             "--examiner", "Tester", "--assume-tz", "Asia/Seoul"])
        try #require(ingest.exitCode == 0, "\(ingest.stderr)")

        let server = try ServeProcess(db: db, dir: dir, name: "recovered")
        defer { server.stop() }
        let chats = try #require(try await HTTP.object(server.base + "/api/chats")["rows"] as? [[String: Any]])
        var recovered: [String: Any]?, invite: [String: Any]?, waChat: Any?
        for chat in chats {
            let rows = try #require(try await HTTP.object(server.base + "/api/chats/\(chat["id"] ?? 0)/messages?limit=200")["rows"] as? [[String: Any]])
            if let r = rows.first(where: { $0["recovered"] as? Bool == true }) { recovered = r; waChat = chat["id"] }
            if let i = rows.first(where: { $0["service"] as? String == "invite_members" }) { invite = i }
            #expect(rows.allSatisfy { $0["recovered"] is Bool })
        }
        let rec = try #require(recovered), inv = try #require(invite)
        #expect(rec["text"] as? String == "돈은 현금으로 가져와 bring the cash")
        let page = try ReviewBrowserTests.dom(server.base + "/thread?chat=\(waChat ?? 0)", dir: dir)
        #expect(page.contains("data-ready=\"1\"") && page.contains(">recovered deleted record<"), "\(page.prefix(3000))")
        #expect(page.components(separatedBy: ">recovered deleted record<").count == 2, "one recovered message, one mark")
        for m in [rec, inv] {
            let r = try await HTTP.post(server.base + "/api/review/tag", json: ["target": "message", "id": String(m["id"] as? Int ?? -1), "tag": "relevant"])
            try #require(r.status == 200, "\(r.text)")
        }
        server.stop()

        let html = dir.path("report.html")
        let r = try Run.command(ReviewFixture.exhibit, ["report", "--db", db, "--review-db", dir.path("recovered.review.sqlite"), "--out", html, "--tagged"])
        try #require(r.exitCode == 0, "\(r.stderr)")
        let transcripts = Self.section(try String(contentsOfFile: html, encoding: .utf8), "transcripts")
        #expect(transcripts.contains("<span class=\"mark\">recovered deleted record</span>"), "\(transcripts.prefix(3000))")
        #expect(transcripts.contains("service: invite_members by Jun-ho — invited members: Sora, Minji"), "\(transcripts.prefix(3000))")
        #expect(transcripts.contains("돈은 현금으로 가져와 bring the cash"))
    }
}
