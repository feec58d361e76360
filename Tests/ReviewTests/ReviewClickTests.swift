import ExhibitTesting
import Foundation
import Testing

/// Clicks through the pages in a real headless Chromium (DevTools protocol over a pipe,
/// Tests/Scripts/cdp_drive.py): the timeline's filter form, the CAT buttons of a picture group,
/// and the log page's export button.
@Suite("ReviewClicks", .serialized)
struct ReviewClickTests {
    /// Runs `scripts` on `path` of the server (every script but the last submits a form).
    static func drive(_ server: ServeProcess, _ path: String, _ scripts: [String], dir: TestDirectory) throws -> Any {
        let binary = try #require(ReviewBrowserTests.chromium, "chromium is not installed: make deps installs Debian's chromium (APT_PACKAGES)")
        let r = try Run.command("/usr/bin/env", ["python3", Corpus.packageRoot().appendingPathComponent("Tests/Scripts/cdp_drive.py").path,
                                                 binary, dir.path("chromium-" + UUID().uuidString), server.base + path] + scripts)
        try #require(r.exitCode == 0, "cdp_drive: \(r.stdout) \(r.stderr.suffix(2000))")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8), options: [.fragmentsAllowed])
    }

    /// Types a participant and one Seoul day into the timeline form and clicks Filter: the
    /// address carries the filter, every row is that participant's on 2024-08-28 in Seoul
    /// (local times +09:00, UTC beside them), and the rows are the API's for the same filter.
    /// Then the kind select narrows to message.sent only.
    @Test func timelineFiltersByClicking() async throws {
        let (dir, db) = try SharedCase.get()
        let server = try ServeProcess(db: db, dir: dir, name: "click-timeline")
        defer { server.stop() }
        let fill = { (fields: [String: String]) -> String in
            let sets = fields.sorted { $0.key < $1.key }.map { "f.querySelector('[name=\($0.key)]').value = \(Self.js($0.value));" }.joined(separator: " ")
            return "(() => { const f = document.querySelector('form.filters'); \(sets) setTimeout(() => f.querySelector('button[type=submit]').click(), 0); return 'submitted'; })()"
        }
        let read = """
            (() => ({ search: location.search,
              rows: [...document.querySelectorAll('#rows tbody tr')].map(tr => [...tr.children].map(td => td.textContent)),
              status: document.getElementById('status').textContent }))()
            """
        let first = try #require(try Self.drive(server, "/timeline", [fill(["participant": "Minji", "from": "2024-08-28", "to": "2024-08-28"]), read],
                                                dir: dir) as? [String: Any])
        #expect(first["search"] as? String == "?from=2024-08-28&to=2024-08-28&participant=Minji", "\(first)")
        let rows = try #require(first["rows"] as? [[String]])
        try #require(!rows.isEmpty, "\(first)")
        let api = try #require(try await HTTP.object(server.base + "/api/timeline?participant=Minji&from=2024-08-28&to=2024-08-28&limit=100")["rows"] as? [[String: Any]])
        #expect(rows.count == api.count)
        for (row, event) in zip(rows, api) {
            let time = event["time"] as? [String: Any]
            #expect(row[0].hasPrefix("2024-08-28 ") && row[0].contains("+09:00") && row[0].contains("UTC 2024-08-2"), "\(row)")
            #expect(row[0].hasPrefix(time?["local"] as? String ?? "?"), "\(row) \(event)")
            #expect(row[1] == event["kind"] as? String)
            #expect(row[4] == event["sender"] as? String ?? "", "\(row)")
        }
        #expect(rows.allSatisfy { $0[4].lowercased().contains("minji") }, "the participant filter matches senders: \(rows)")

        let kinds = try #require(try Self.drive(server, "/timeline?participant=Minji&from=2024-08-28&to=2024-08-28",
                                                [fill(["kind": "message.sent"]), read], dir: dir) as? [String: Any])
        #expect(kinds["search"] as? String == "?from=2024-08-28&to=2024-08-28&kind=message.sent&participant=Minji", "\(kinds)")
        let sent = try #require(kinds["rows"] as? [[String]])
        try #require(!sent.isEmpty)
        #expect(sent.allSatisfy { $0[1] == "message.sent" } && sent.count <= rows.count, "\(sent)")

        // A day with nothing that participant did says so.
        let none = try #require(try Self.drive(server, "/timeline", [fill(["participant": "Minji", "from": "2019-01-01", "to": "2019-01-01"]), read],
                                               dir: dir) as? [String: Any])
        #expect((none["rows"] as? [[String]])?.isEmpty == true && none["status"] as? String == "No events match.", "\(none)")
    }

    /// CAT buttons on a picture group: clicking 3 then 5 leaves only cat-5 (the button shown as
    /// set), and the review log holds tag.add cat-3, tag.remove cat-3, tag.add cat-5.
    @Test func categoryButtonsAreExclusiveAndLogged() async throws {
        let (dir, db) = try SharedCase.get()
        let server = try ServeProcess(db: db, dir: dir, name: "click-cat")
        defer { server.stop() }
        let group = try #require(try await HTTP.array(server.base + "/api/known").first?["content"] as? String)
        let script = """
            (async () => {
              const box = document.querySelector('[data-cat-target="group:\(group)"]');
              const wait = async n => { for (let i = 0; i < 100 && !box.querySelector('button.on[data-cat="' + n + '"]'); i++) await new Promise(r => setTimeout(r, 50)); };
              box.querySelector('[data-cat="3"]').click(); await wait(3);
              box.querySelector('[data-cat="5"]').click(); await wait(5);
              return [...box.querySelectorAll('button.on')].map(b => b.dataset.cat);
            })()
            """
        let on = try Self.drive(server, "/known", [script], dir: dir) as? [String]
        #expect(on == ["5"], "\(String(describing: on))")
        let tags = try await HTTP.array(server.base + "/api/review/tags?target=group")
        #expect(tags.map { $0["tag"] as? String ?? "" } == ["cat-5"])
        let log = try #require(try await HTTP.object(server.base + "/api/review/log")["rows"] as? [[String: Any]])
        #expect(log.map { $0["action"] as? String ?? "" } == ["review.open", "tag.add", "tag.remove", "tag.add"], "\(log)")
        #expect(log.dropFirst().map { ($0["details"] as? String)?.contains("\"tag\":\"cat-") == true } == [true, true, true])
        #expect((log.last?["details"] as? String)?.contains("\"tag\":\"cat-5\"") == true)
        // The API refuses a category outside 0–5 and one on a message (categories are for media).
        let bad = try await HTTP.post(server.base + "/api/review/category", json: ["target": "group", "id": group, "category": 9])
        #expect(bad.status == 400, "\(bad.text)")
        let message = try await HTTP.post(server.base + "/api/review/category", json: ["target": "message", "id": "1", "category": 1])
        #expect(message.status == 400, "\(message.text)")
        let form = try await HTTP.request(server.base + "/api/review/category", method: "POST", body: Data("target=group&category=1".utf8),
                                          headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(form.status == 415, "a cross-site form cannot set a category: \(form.text)")
        #expect(try await HTTP.get(server.base + "/api/review/category").status == 405)
        let clear = try await HTTP.post(server.base + "/api/review/category", json: ["target": "group", "id": group, "category": NSNull()])
        #expect(clear.status == 200 && clear.text == "[]", "\(clear.text)")

        // In a thread, a picture's own CAT buttons categorise its file; the thread shows it on reload.
        let chats = try #require(try await HTTP.object(server.base + "/api/chats")["rows"] as? [[String: Any]])
        let wa = try #require(chats.first { $0["platform"] as? String == "whatsapp" && ($0["title"] as? String ?? "").contains("Minji") })
        let rows = try #require(try await HTTP.object(server.base + "/api/chats/\(wa["id"] ?? 0)/messages")["rows"] as? [[String: Any]])
        let attachments = rows.flatMap { ($0["attachments"] as? [[String: Any]]) ?? [] }
        let fileID = try #require(attachments.compactMap { $0["fileID"] as? Int }.first, "\(rows)")
        let thread = """
            (async () => {
              const box = document.querySelector('[data-cat-target="file:\(fileID)"]');
              box.querySelector('[data-cat="1"]').click();
              for (let i = 0; i < 100 && !box.querySelector('button.on'); i++) await new Promise(r => setTimeout(r, 50));
              return [...box.querySelectorAll('button.on')].map(b => b.dataset.cat);
            })()
            """
        #expect(try Self.drive(server, "/thread?chat=\(wa["id"] ?? 0)", [thread], dir: dir) as? [String] == ["1"])
        #expect(try await HTTP.array(server.base + "/api/review/tags?target=file&id=\(fileID)").map { $0["tag"] as? String ?? "" } == ["cat-1"])
        let again = try #require(try await HTTP.object(server.base + "/api/chats/\(wa["id"] ?? 0)/messages")["rows"] as? [[String: Any]])
        let tagged = again.flatMap { ($0["attachments"] as? [[String: Any]]) ?? [] }.filter { $0["fileID"] as? Int == fileID }
        #expect(!tagged.isEmpty && tagged.allSatisfy { $0["tags"] as? [String] == ["cat-1"] }, "\(tagged)")
    }

    /// The log page's export button, clicked: the page says where the portable case went, the
    /// folder's manifest verifies, and the log records the export.
    @Test func exportButtonWritesThePortableCase() async throws {
        let (dir, db) = try SharedCase.get()
        let server = try ServeProcess(db: db, dir: dir, name: "click-export")
        defer { server.stop() }
        let chats = try #require(try await HTTP.object(server.base + "/api/chats")["rows"] as? [[String: Any]])
        let kakao = try #require(chats.first { $0["platform"] as? String == "kakaotalk" })
        let messages = try #require(try await HTTP.object(server.base + "/api/chats/\(kakao["id"] ?? 0)/messages")["rows"] as? [[String: Any]])
        let photo = try #require(messages.first { $0["text"] as? String == "사진" }?["id"] as? Int)
        #expect(try await HTTP.post(server.base + "/api/review/tag", json: ["target": "message", "id": String(photo), "tag": "relevant"]).status == 200)
        let script = """
            (async () => {
              document.getElementById('export').click();
              const out = document.getElementById('export-result');
              for (let i = 0; i < 200 && !out.textContent; i++) await new Promise(r => setTimeout(r, 50));
              return out.textContent;
            })()
            """
        let said = try #require(try Self.drive(server, "/log", [script], dir: dir) as? String)
        #expect(said.hasPrefix("Portable case written to ") && said.hasSuffix("(1 messages, 0 files, 0 picture groups)"), "\(said)")
        let folder = String(said.dropFirst("Portable case written to ".count).prefix { $0 != " " })
        #expect(folder.hasPrefix(dir.path("case-portable-")), "\(folder)")
        let check = try Run.shell("cd '\(folder)' && sha256sum -c MANIFEST.sha256")
        #expect(check.exitCode == 0 && check.stdout.contains("index.html: OK"), "\(check.stdout)")
        try? FileManager.default.removeItem(atPath: folder)
        let log = try #require(try await HTTP.object(server.base + "/api/review/log")["rows"] as? [[String: Any]])
        #expect(log.map { $0["action"] as? String ?? "" } == ["review.open", "tag.add", "export.portable"], "\(log)")
    }

    /// The files page's metadata button: the camera picture's EXIF and GPS fields under the
    /// inventory, its DateTimeOriginal in Seoul with UTC and basis `offset`, and the API's
    /// answer equal to `exhibit metadata --json`'s entries.
    @Test func fileMetadataByClicking() async throws {
        let (dir, db) = try SharedCase.get()
        let server = try ServeProcess(db: db, dir: dir, name: "click-metadata")
        defer { server.stop() }
        let script = """
            (async () => {
              document.querySelector('button[data-details]').click();
              const box = document.getElementById('details');
              for (let i = 0; i < 100 && !box.querySelector('table'); i++) await new Promise(r => setTimeout(r, 50));
              return { title: box.querySelector('h2').textContent,
                rows: [...box.querySelectorAll('tbody tr')].map(tr => [...tr.children].map(td => td.textContent)),
                none: [...box.querySelectorAll('p')].map(p => p.textContent) };
            })()
            """
        let shown = try #require(try Self.drive(server, "/files?path=*IMG_20240829_190541.jpg", [script], dir: dir) as? [String: Any])
        #expect(shown["title"] as? String == "Metadata and indicators of phone-dump.zip!/sdcard/DCIM/Camera/IMG_20240829_190541.jpg", "\(shown)")
        let rows = try #require(shown["rows"] as? [[String]])
        try #require(!rows.isEmpty)
        let original = try #require(rows.first { $0[1] == "DateTimeOriginal" }, "\(rows)")
        #expect(original[0] == "exif" && original[2] == "2024:08:29 19:05:41")
        #expect(original[3].hasPrefix("2024-08-29 19:05:41") && original[3].contains("+09:00") && original[3].contains("UTC 2024-08-29T10:05:41") && original[3].contains("offset"), "\(original)")
        #expect(rows.contains { $0[0] == "gps" && $0[1] == "GPSLatitude" && $0[2] == "37.5512" })
        #expect(shown["none"] as? [String] == ["No indicator."])

        let files = try #require(try await HTTP.object(server.base + "/api/files?path=*IMG_20240829_190541.jpg")["rows"] as? [[String: Any]])
        let id = try #require(files.first?["id"] as? Int)
        let api = try await HTTP.object(server.base + "/api/files/\(id)/metadata")
        let cli = try Run.command(ReviewFixture.exhibit, ["metadata", "--db", db, "--json", "phone-dump.zip!/sdcard/DCIM/Camera/IMG_20240829_190541.jpg"])
        let text = cli.stdout
        let entries = try #require(api["entries"] as? [[String: Any]])
        #expect(entries.count == rows.count)
        for e in entries { #expect(text.contains(e["tag"] as? String ?? "?"), "\(e)") }
        #expect(try await HTTP.get(server.base + "/api/files/999999999/metadata").status == 404)
    }

    /// Screenshots read back by OCR (Debian's tesseract-ocr, APT_PACKAGES): the key text is on
    /// the rendered picture, not only in the DOM — the overview's court line and zone, and the
    /// timeline filtered by participant and a Seoul day.
    @Test func screenshotsShowTheKeyText() async throws {
        let tesseract = try #require(["/usr/bin/tesseract"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                     "tesseract is not installed: make deps installs Debian's tesseract-ocr (APT_PACKAGES)")
        let (dir, db) = try SharedCase.get()
        let server = try ServeProcess(db: db, dir: dir, name: "ocr")
        defer { server.stop() }
        let pages: [(String, [String])] = [
            ("/", ["Known-bad picture", "shared in 2 rooms by 1 sender", "Asia/Seoul", "Evidence items and custody"]),
            ("/timeline?participant=Minji&from=2024-08-28&to=2024-08-28", ["Time (Asia/Seoul)", "message.sent", "Minji"]),
        ]
        for (path, words) in pages {
            let png = dir.path("ocr-\(UUID().uuidString).png")
            try ReviewBrowserTests.screenshot(server.base + path, to: png, dir: dir)
            let ocr = try Run.command(tesseract, [png, "-"])
            try #require(ocr.exitCode == 0, "\(ocr.stderr)")
            for w in words { #expect(ocr.stdout.contains(w), "\(w) not seen on the screenshot of \(path): \(ocr.stdout.prefix(1500))") }
        }
    }

    /// A JavaScript string literal.
    static func js(_ s: String) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: [s])) ?? Data("[\"\"]".utf8), as: UTF8.self).dropFirst().dropLast().description
    }
}
