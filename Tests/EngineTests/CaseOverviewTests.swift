import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Issue 15, item 10: the ingest summary says first what an investigator wants (chats and
/// messages per platform, known-bad matches with their rooms, problems by code), and
/// `exhibit problems` lists every analysis error and warning with its file.
@Suite("Case overview and problems")
struct CaseOverviewTests {
    @Test func summaryOpensWithTheOverviewAndProblemsListEveryRow() throws {
        let dir = try TestDirectory("overview")
        defer { dir.remove() }
        let db = dir.path("case.sqlite")
        let tar = Corpus.url("phone/android/android-ffs.tar").path
        let r = try Run.command(Fixture.exhibit, ["ingest", tar, "--db", db, "--case", "O"])
        try #require(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Case so far:"))
        #expect(r.stdout.contains("telegram: 5 chat(s), 26 message(s)"), "\(r.stdout)")
        #expect(r.stdout.contains("whatsapp: 2 chat(s), 15 message(s)"))
        #expect(r.stdout.contains("kakaotalk: 3 chat(s), 14 message(s)"))
        // App databases named like exports are not warned about (chat-export 1.1.0).
        let warned = try Fixture.open(db).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM analysis_errors WHERE code = 'not-an-export'") }
        #expect(warned == 0)

        let j = try Run.command(Fixture.exhibit, ["ingest", tar, "--db", db, "--case", "O", "--json"])
        try #require(j.exitCode == 0, "\(j.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any]
        let overview = try #require(summary?["overview"] as? [String: Any])
        let platforms = (overview["platforms"] as? [[String: Any]] ?? []).compactMap { $0["platform"] as? String }
        #expect(platforms == ["kakaotalk", "telegram", "whatsapp"])

        // A damaged database gives a problem row with its file.
        let bad = dir.path("bad/data/data/com.whatsapp/databases")
        try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: true)
        try Data("SQLite format 3\u{0}".utf8 + Data(repeating: 0xAB, count: 4000)).write(to: URL(fileURLWithPath: bad + "/msgstore.db"))
        let b = try Run.command(Fixture.exhibit, ["ingest", dir.path("bad"), "--db", db, "--case", "O"])
        try #require(b.exitCode == 0, "\(b.stderr)")
        let p = try Run.command(Fixture.exhibit, ["problems", "--db", db, "--json"])
        try #require(p.exitCode == 0, "\(p.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(p.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(rows.contains { ($0["path"] as? String ?? "").hasSuffix("msgstore.db") && ($0["analyzer_id"] as? String) == "whatsapp-db" }, "\(p.stdout)")
        #expect(rows.allSatisfy { Set($0.keys) == ["evidence", "path", "analyzer_id", "status", "code", "message"] })
    }
}
