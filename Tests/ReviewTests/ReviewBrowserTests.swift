import ExhibitTesting
import Foundation
import Testing

/// The pages in a real browser: Debian's headless Chromium loads them from `exhibit serve`
/// (no internet; everything is served by Exhibit), runs the script and prints the DOM.
@Suite("ReviewBrowser", .serialized)
struct ReviewBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The DOM after the page's script ran (`--dump-dom` waits for the virtual time budget). Each
    /// run gets its own profile: two Chromiums on one profile refuse to start (exit 21).
    static func dom(_ url: String, dir: TestDirectory) throws -> String {
        let binary = try #require(chromium, "chromium is not installed: make deps installs Debian's chromium (APT_PACKAGES)")
        let r = try Run.command(binary, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                                         "--user-data-dir=\(dir.path("chromium-" + UUID().uuidString))", "--virtual-time-budget=8000",
                                         "--dump-dom", url])
        try #require(r.exitCode == 0, "chromium: \(r.stderr.suffix(2000))")
        return r.stdout
    }

    static func screenshot(_ url: String, to path: String, dir: TestDirectory) throws {
        let binary = try #require(chromium, "chromium is not installed")
        let r = try Run.command(binary, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                                         "--user-data-dir=\(dir.path("chromium-" + UUID().uuidString))", "--virtual-time-budget=8000",
                                         "--window-size=1280,1600", "--screenshot=\(path)", url])
        try #require(r.exitCode == 0, "chromium: \(r.stderr.suffix(2000))")
    }

    @Test(.tags(.timeZone)) func overviewThreadAndTimelineRenderInChromium() async throws {
        try #require(Self.chromium != nil, "chromium is not installed: make deps installs Debian's chromium (APT_PACKAGES)")
        let (dir, db) = try SharedCase.get()
        let server = try ServeProcess(db: db, dir: dir, name: "browser")
        defer { server.stop() }

        let overview = try Self.dom(server.base + "/", dir: dir)
        #expect(overview.contains("data-ready=\"1\""), "script did not finish: \(overview.prefix(3000))")
        #expect(overview.contains("Case REVIEW-1 · times in Asia/Seoul"), "\(overview.prefix(3000))")
        #expect(overview.contains("Known-bad picture") && overview.contains("shared in"), "\(overview.prefix(3000))")
        #expect(overview.contains("phone-dump.zip") && overview.contains("ITEM-1"))

        // The KakaoTalk thread: Korean text, local times with UTC beside them, a deleted mark.
        let chats = try await HTTP.object(server.base + "/api/chats")
        let kakao = try #require((chats["rows"] as? [[String: Any]])?.first { $0["platform"] as? String == "kakaotalk" })
        let thread = try Self.dom(server.base + "/thread?chat=\(kakao["id"] ?? 0)", dir: dir)
        #expect(thread.contains("data-ready=\"1\""))
        #expect(thread.contains(">사진<"), "\(thread.prefix(3000))")
        #expect(thread.contains("+09:00") && thread.contains("UTC 2024-08-28T"), "\(thread.prefix(3000))")
        #expect(thread.contains("mark deleted"))

        // The WhatsApp thread with the picture: blurred, or withheld when known-bad.
        let wa = try #require((chats["rows"] as? [[String: Any]])?.first {
            $0["platform"] as? String == "whatsapp" && ($0["title"] as? String ?? "").contains("Minji")
        })
        let waDOM = try Self.dom(server.base + "/thread?chat=\(wa["id"] ?? 0)", dir: dir)
        #expect(waDOM.contains("class=\"blurred\"") || waDOM.contains("Known-bad picture withheld"), "\(waDOM.prefix(4000))")
        #expect(!waDOM.contains("data-revealed"))

        // Hostile evidence text stays text: no element from it, the RTL override shown as a mark.
        let mallory = try #require((chats["rows"] as? [[String: Any]])?.first { ($0["title"] as? String ?? "").contains("Mallory") })
        let hostile = try Self.dom(server.base + "/thread?chat=\(mallory["id"] ?? 0)", dir: dir)
        #expect(hostile.contains("&lt;script&gt;document.title='owned'&lt;/script&gt;"), "\(hostile.prefix(4000))")
        #expect(!hostile.contains("<title>owned"))
        #expect(hostile.contains("⟨U+202E⟩gnp.exe"))
        #expect(!hostile.contains("href=\"javascript:"))
        #expect(hostile.contains("Mallory &lt;i&gt;x&lt;/i&gt;"))

        // Timeline filtered by participant and a Seoul day, from the URL.
        let timeline = try Self.dom(server.base + "/timeline?participant=Minji&from=2024-08-28&to=2024-08-28", dir: dir)
        #expect(timeline.contains("Time (Asia/Seoul)"), "\(timeline.prefix(3000))")
        #expect(timeline.contains("2024-08-28 15:") && !timeline.contains("No events match"), "\(timeline.prefix(3000))")

        // A screenshot of the overview: a real PNG of the rendered page.
        let png = dir.path("overview.png")
        try Self.screenshot(server.base + "/", to: png, dir: dir)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(bytes.count > 10_000 && bytes.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        let ink = try Run.command("/usr/bin/env", ["python3", Corpus.packageRoot().appendingPathComponent("Tests/Scripts/png_ink.py").path, png])
        #expect(ink.exitCode == 0 && !ink.stdout.isEmpty, "\(ink.stderr)")
    }

    /// Clicks in a real browser (DevTools protocol, Tests/Scripts/cdp_drive.py): reveal a withheld
    /// known-bad picture (the confirmation accepted) and tag its message; both land in the log.
    @Test func revealingAndTaggingByClickAreRecorded() async throws {
        let binary = try #require(Self.chromium, "chromium is not installed: make deps installs Debian's chromium (APT_PACKAGES)")
        let (dir, db) = try SharedCase.get()
        let server = try ServeProcess(db: db, dir: dir, name: "clicks")
        defer { server.stop() }
        let chats = try #require(try await HTTP.object(server.base + "/api/chats")["rows"] as? [[String: Any]])
        let wa = try #require(chats.first { $0["platform"] as? String == "whatsapp" && ($0["title"] as? String ?? "").contains("Minji") })
        let messages = try #require(try await HTTP.object(server.base + "/api/chats/\(wa["id"] ?? 0)/messages")["rows"] as? [[String: Any]])
        let carrier = try #require(messages.first { (($0["attachments"] as? [[String: Any]]) ?? []).contains { $0["knownBad"] as? Bool == true } })
        let id = try #require(carrier["id"] as? Int)
        let script = """
            (async () => {
              const m = document.querySelector('[data-message="\(id)"]');
              window.confirm = () => true;
              m.querySelector('.withheld').click();
              const img = await new Promise((ok, no) => { const t = Date.now(); const w = () => {
                const i = m.querySelector('img'); if (i && i.complete && i.naturalWidth > 0) ok(i);
                else if (Date.now() - t > 8000) no(new Error('picture not shown')); else setTimeout(w, 50); }; w(); });
              m.querySelector('button[data-tag=relevant]').click();
              for (let i = 0; i < 100 && !m.querySelector('.tag'); i++) await new Promise(r => setTimeout(r, 50));
              return { width: img.naturalWidth, tags: [...m.querySelectorAll('.tag')].map(t => t.textContent) };
            })()
            """
        let r = try Run.command("/usr/bin/env", ["python3", Corpus.packageRoot().appendingPathComponent("Tests/Scripts/cdp_drive.py").path,
                                                 binary, dir.path("chromium-" + UUID().uuidString), server.base + "/thread?chat=\(wa["id"] ?? 0)", script])
        try #require(r.exitCode == 0, "cdp_drive: \(r.stdout) \(r.stderr.suffix(2000))")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)")
        #expect(result["width"] as? Int == 320 && result["tags"] as? [String] == ["relevant"], "\(result)")
        let log = try #require(try await HTTP.object(server.base + "/api/review/log")["rows"] as? [[String: Any]])
        #expect(log.map { $0["action"] as? String ?? "" } == ["review.open", "media.reveal", "tag.add"], "\(log)")
        #expect((log.dropFirst().first?["details"] as? String)?.contains("\"known_bad\":true") == true)
        #expect(log.last?["details"] as? String == "{\"id\":\"\(id)\",\"reviewer\":\"Test Reviewer\",\"tag\":\"relevant\",\"target\":\"message\"}")
    }
}
