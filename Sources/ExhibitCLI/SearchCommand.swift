import ArgumentParser
import EvidenceStore
import ExhibitKit
import Foundation

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search chat messages, sender names and chat titles (Korean-ready; chats only).",
        discussion: """
        Chats only: message text, sender names and chat titles. File names are searched with
        `exhibit files --path '*name*'`, metadata with `exhibit metadata`, and plugin artifacts
        with `exhibit timeline --kind 'artifact.*'`.

        Each hit prints the whole message; the match is in [brackets] where it was found — in
        the text (with 30 characters either side), in the sender's name or in the chat title.
        --json says where in "field" (text, sender, chat). Times are shown in the case's zone
        with UTC beside them (--tz for another zone).

        QUERY is matched as a literal substring (no operators), case-insensitively, in Unicode
        NFC, so a query typed on a PC finds text exported by iOS or macOS. Queries of 3 or more
        characters use the FTS5 trigram index; 2-character words (사진, 영상) a bigram index;
        a single character a scan of all text.

        Examples:
          exhibit search --db case.sqlite 딥페이크
          exhibit search --db case.sqlite 사진 --json
          exhibit search --db case.sqlite "see you" --limit 20

        Exit codes: 0 at least one hit; 1 the database cannot be read; 2 bad option; 5 no hits.
        """)

    @OptionGroup var database: DatabaseOption
    @Argument(help: "Text to find.") var query: String
    @Option(help: "At most this many hits.") var limit: Int = 1000
    @Flag(help: "Include chats that are copies of another export of the same chat.") var copies = false
    @OptionGroup var zone: ZoneOption
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard !query.isEmpty else { fail("the query is empty", code: 2) }
        let result: SearchResult
        let clock: CaseTimeText
        do {
            let db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true)
            clock = zone.clock(db)
            result = try db.searchChats(query, includeCopies: copies, limit: max(1, limit))
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
        if json {
            try printJSON(SearchJSON(query: query, path: result.path, scope: "chats", hits: result.hits.map {
                SearchJSON.Hit(snippet: $0.snippet, field: $0.field, message: MessageJSON($0.message, clock: clock))
            }))
        } else {
            for hit in result.hits { print(TerminalText.safe(Self.line(hit, clock: clock), keepNewlines: true)) }
            FileHandle.standardError.write(Data("\(result.hits.count) hit(s) in chats (\(result.path)); file names: exhibit files --path '*…*'\n".utf8))
        }
        if result.hits.isEmpty { throw ExitCode(5) }
    }
}

extension SearchCommand {
    /// `telegram / 강남 모임  <time>  서연: text`, the match in brackets where it was found: a
    /// text hit shows the text around it; a hit on the sender or the chat title shows the
    /// message's own text, never the name in its place.
    static func line(_ hit: SearchHit, clock: CaseTimeText) -> String {
        var m = hit.message
        var title = m.chat ?? "(untitled)"
        var text: String?
        switch hit.field {
        case "sender": m.sender = m.sender.map { mark($0, hit.snippet) }
        case "chat": title = mark(title, hit.snippet)
        default: text = hit.snippet
        }
        // The title isolated here; ChatText isolates the sender and the text.
        return "\(m.platform) / \(TerminalText.field(title))  \(ChatText.line(m, text: text, clock: clock))"
    }

    /// `name` with the bracketed part of `snippet` (the match, as the name is short) marked.
    static func mark(_ name: String, _ snippet: String) -> String {
        guard let open = snippet.firstIndex(of: "["), let close = snippet[open...].firstIndex(of: "]") else { return name }
        let found = String(snippet[snippet.index(after: open)..<close])
        guard let r = name.range(of: found, options: [.caseInsensitive]) else { return name }
        return String(name[..<r.lowerBound]) + "[" + String(name[r]) + "]" + String(name[r.upperBound...])
    }
}

/// The `--json` form of a search.
struct SearchJSON: Encodable {
    struct Hit: Encodable {
        /// Text around the match, the match in brackets.
        var snippet: String
        /// Where the match was: text, sender or chat (the title).
        var field: String
        var message: MessageJSON
    }
    var query, path: String
    /// What was searched: always `chats` (message text, sender names, chat titles).
    var scope: String
    var hits: [Hit]
}
