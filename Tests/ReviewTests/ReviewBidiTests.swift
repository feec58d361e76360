import ExhibitTesting
import Foundation
import Testing

/// Evidence names and text with a right-to-left override (U+202E) or right-to-left letters in
/// `exhibit serve`'s pages and the portable viewer, in a real headless Chromium (issue 19 item 10,
/// issue 16): the override is a visible mark, never a raw control in the page, and such text sits
/// in a `<bdi>` (computed `unicode-bidi: isolate`), so it cannot reverse Exhibit's words beside it.
@Suite("ReviewBidi", .serialized)
struct ReviewBidiTests {
    static let rlo = "invoice\u{202E}fdp.exe"
    static let dani = "\u{05D3}\u{05E0}\u{05D9}"
    static let shalom = "\u{05E9}\u{05DC}\u{05D5}\u{05DD} \u{05E2}\u{05D5}\u{05DC}\u{05DD}"

    /// A folder holding a file named with an override, and a WhatsApp export (Python's zipfile)
    /// whose senders are an override and a Hebrew name, ingested by the real binary.
    static func caseDB(_ dir: TestDirectory) throws -> String {
        let ev = dir.path("ev")
        try FileManager.default.createDirectory(atPath: ev, withIntermediateDirectories: true)
        try Data("MZ not really a program\n".utf8).write(to: URL(fileURLWithPath: ev + "/" + rlo))
        let zip = dir.path("rtl-chat.zip")
        let script = """
            import sys, zipfile
            path = sys.argv[1]
            nn = "\\u202f"
            lines = [f"8/29/24, 9:00{nn}AM - \\u05d3\\u05e0\\u05d9: \\u05e9\\u05dc\\u05d5\\u05dd \\u05e2\\u05d5\\u05dc\\u05dd",
                     f"8/29/24, 9:01{nn}AM - Mal\\u202eyrol: see invoice\\u202efdp.exe"]
            with zipfile.ZipFile(path, "w") as z:
                z.writestr(zipfile.ZipInfo("WhatsApp Chat with \\u05d3\\u05e0\\u05d9.txt", (2024, 8, 29, 9, 5, 0)), "\\n".join(lines) + "\\n")
            """
        let made = try Run.command("/usr/bin/env", ["python3", "-c", script, zip])
        try #require(made.exitCode == 0, "rtl chat: \(made.stderr)")
        let db = dir.path("case.sqlite")
        let r = try Run.command(ReviewFixture.exhibit, ["ingest", ev, zip, "--db", db, "--case", "BIDI-1", "--examiner", "Tester",
                                                        "--assume-tz", "Asia/Seoul"])
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        return db
    }

    /// No raw bidi control anywhere in a dumped page.
    static func noRawBidi(_ dom: String) -> Bool {
        !dom.unicodeScalars.contains { [0x061C, 0x200E, 0x200F].contains($0.value) || (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) }
    }

    @Test func overrideAndHebrewAreMarkedAndIsolatedInServeAndThePortableViewer() async throws {
        try #require(ReviewBrowserTests.chromium != nil, "chromium is not installed: make deps installs Debian's chromium (APT_PACKAGES)")
        let dir = try TestDirectory("review-bidi"); defer { dir.remove() }
        let db = try Self.caseDB(dir)
        let server = try ServeProcess(db: db, dir: dir, name: "bidi")
        defer { server.stop() }

        // The files page: the name's override is a mark, the path isolated.
        let files = try ReviewBrowserTests.dom(server.base + "/files", dir: dir)
        #expect(files.contains("data-ready=\"1\""), "\(files.prefix(3000))")
        #expect(files.contains("<span class=\"mono\"><bdi>ev!/invoice⟨U+202E⟩fdp.exe</bdi></span>"), "\(files)")
        #expect(Self.noRawBidi(files))

        // The thread: the override sender and the Hebrew sender and text isolated, the title too.
        let chats = try #require(try await HTTP.object(server.base + "/api/chats")["rows"] as? [[String: Any]])
        let chat = try #require(chats.first { $0["platform"] as? String == "whatsapp" })
        let thread = try ReviewBrowserTests.dom(server.base + "/thread?chat=\(chat["id"] ?? 0)", dir: dir)
        #expect(thread.contains("data-ready=\"1\""), "\(thread.prefix(3000))")
        #expect(thread.contains("<span class=\"who\"><bdi>Mal⟨U+202E⟩yrol</bdi></span>"), "\(thread)")
        #expect(thread.contains("<span class=\"who\"><bdi>\(Self.dani)</bdi></span>"), "\(thread)")
        #expect(thread.contains("<div class=\"text\"><bdi>\(Self.shalom)</bdi></div>"), "\(thread)")
        #expect(thread.contains("<div class=\"text\"><bdi>see invoice⟨U+202E⟩fdp.exe</bdi></div>"), "\(thread)")
        #expect(thread.contains("<h1><bdi>") && thread.contains("\(Self.dani)</bdi> — whatsapp</h1>"), "\(thread)")
        #expect(Self.noRawBidi(thread))

        // Computed in the browser: every such element isolates, and no text node holds a raw control.
        let script = """
            (() => ({
              isolates: [...document.querySelectorAll('bdi')].map(b => getComputedStyle(b).unicodeBidi),
              raw: [...document.querySelectorAll('body *')].some(e => [...e.childNodes].some(n => n.nodeType === 3 && /[\\u202a-\\u202e\\u2066-\\u2069]/.test(n.data))),
              who: [...document.querySelectorAll('.who')].map(w => w.textContent)
            }))()
            """
        let seen = try #require(try ReviewClickTests.drive(server, "/thread?chat=\(chat["id"] ?? 0)", [script], dir: dir) as? [String: Any])
        let isolates = try #require(seen["isolates"] as? [String])
        try #require(!isolates.isEmpty, "\(seen)")
        #expect(isolates.allSatisfy { $0 == "isolate" }, "\(seen)")
        #expect(seen["raw"] as? Bool == false, "\(seen)")
        #expect(seen["who"] as? [String] == [Self.dani, "Mal⟨U+202E⟩yrol"], "\(seen)")

        // The portable viewer, opened from disk: the same marks and isolation.
        let rows = try #require(try await HTTP.object(server.base + "/api/chats/\(chat["id"] ?? 0)/messages")["rows"] as? [[String: Any]])
        try #require(!rows.isEmpty)
        for m in rows {
            let id = try #require(m["id"] as? Int)
            #expect(try await HTTP.post(server.base + "/api/review/tag", json: ["target": "message", "id": String(id), "tag": "relevant"]).status == 200)
        }
        let export = try await HTTP.post(server.base + "/api/export/portable", json: [:])
        try #require(export.status == 200, "\(export.text)")
        let folder = try #require((try export.json() as? [String: Any])?["folder"] as? String)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let portable = try ReviewBrowserTests.dom("file://" + folder + "/index.html", dir: dir)
        #expect(portable.contains("data-ready=\"1\""), "\(portable.prefix(3000))")
        #expect(portable.contains("<span class=\"who\"><bdi>Mal⟨U+202E⟩yrol</bdi></span>"), "\(portable)")
        #expect(portable.contains("<div class=\"text\"><bdi>\(Self.shalom)</bdi></div>"), "\(portable)")
        #expect(portable.contains("<h2><bdi>") && portable.contains("\(Self.dani)</bdi> — whatsapp</h2>"), "\(portable)")
        #expect(Self.noRawBidi(portable), "a raw bidi control in the drawn portable page")
        // The file itself holds none either: the data's JSON escapes them (\u202e).
        let file = try String(contentsOfFile: folder + "/index.html", encoding: .utf8)
        #expect(Self.noRawBidi(file) && file.contains("Mal\\u202eyrol"), "a raw bidi control in index.html")
    }
}
