import Foundation
import Hummingbird

/// The pages: one HTML shell per page, one script and one style sheet, all served by Exhibit
/// (no CDN, no fonts fetched). Evidence text never enters the HTML on the server: the script
/// fetches JSON and inserts it with `textContent`, so `<script>` in a message stays text.
enum Pages {
    /// Page paths and their titles, in menu order.
    static let pages: [(path: String, title: String)] = [
        ("/", "Overview"), ("/timeline", "Timeline"), ("/chats", "Chats"), ("/known", "Known media"), ("/files", "Files"),
        ("/log", "Review log"),
    ]

    static func register(on router: Router<BasicRequestContext>) {
        for page in pages {
            router.get(RouterPath(page.path)) { _, _ in HTTPReply.text(shell(page.title), type: "text/html; charset=utf-8") }
        }
        router.get("/thread") { _, _ in HTTPReply.text(shell("Thread"), type: "text/html; charset=utf-8") }
        router.get("/static/app.js") { _, _ in
            HTTPReply.text(AppScript.core + AppScript.pages + AppScript.chats, type: "text/javascript; charset=utf-8")
        }
        router.get("/static/app.css") { _, _ in HTTPReply.text(AppStyle.css, type: "text/css; charset=utf-8") }
    }

    /// The same shell for every page; `data-page` tells the script which page to draw.
    static func shell(_ title: String) -> String {
        let menu = pages.map { "<a href=\"\($0.path)\">\($0.title)</a>" }.joined(separator: " ")
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) — Exhibit review</title><link rel="stylesheet" href="/static/app.css"></head>
            <body data-page="\(title.lowercased().replacingOccurrences(of: " ", with: "-"))">
            <header><strong>Exhibit review</strong> <nav>\(menu)</nav> <span id="case"></span></header>
            <main id="main"><h1>\(title)</h1><p class="muted" id="status">Loading…</p></main>
            <script src="/static/app.js"></script></body></html>
            """
    }
}
