import ArgumentParser
import EvidenceStore
import ExhibitKit
import Foundation

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search chat messages, sender names and chat titles (Korean-ready).",
        discussion: """
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
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard !query.isEmpty else { fail("the query is empty", code: 2) }
        let result: SearchResult
        do {
            let db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true)
            result = try db.searchChats(query, includeCopies: copies, limit: max(1, limit))
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
        if json {
            try printJSON(SearchJSON(query: query, path: result.path, hits: result.hits.map {
                SearchJSON.Hit(snippet: $0.snippet, message: MessageJSON($0.message))
            }))
        } else {
            for hit in result.hits {
                let m = hit.message
                print(TerminalText.safe("\(m.platform) / \(m.chat ?? "(untitled)")  \(ChatText.line(m, text: hit.snippet))", keepNewlines: true))
            }
            FileHandle.standardError.write(Data("\(result.hits.count) hit(s) (\(result.path))\n".utf8))
        }
        if result.hits.isEmpty { throw ExitCode(5) }
    }
}

/// The `--json` form of a search.
struct SearchJSON: Encodable {
    struct Hit: Encodable {
        var snippet: String
        var message: MessageJSON
    }
    var query, path: String
    var hits: [Hit]
}
