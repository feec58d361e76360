import ExhibitKit
import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Issue 13 "done when": a WhatsApp message deleted with secure_delete off is recovered during
/// `exhibit ingest` and shown as a recovered deleted record by `exhibit messages` (text and
/// JSON) and in the timeline, linked to its `recovered_records` row; one revoked and then
/// VACUUMed away, or deleted with secure_delete on, is not claimed.
@Suite("Recovered messages through the CLI", .serialized)
struct RecoveredMessageCLITests {
    /// An Android-like folder holding the fixture's msgstore.db (and wa.db) where WhatsApp keeps them.
    static func ingest(_ fixture: String, in dir: TestDirectory) throws -> String {
        let databases = dir.path("phone/data/data/com.whatsapp/databases")
        try FileManager.default.createDirectory(atPath: databases, withIntermediateDirectories: true)
        let src = Corpus.url("phone/whatsapp/deleted/\(fixture)")
        for name in try FileManager.default.contentsOfDirectory(atPath: src.path).sorted() {
            try FileManager.default.copyItem(atPath: src.appendingPathComponent(name).path, toPath: databases + "/" + name)
        }
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([dir.path("phone")], db: db)
        #expect(r.exitCode == 0, "\(r.stderr)")
        return db
    }

    static func json(_ db: String) throws -> [[String: Any]] {
        let r = try Run.command(Fixture.exhibit, ["messages", "--db", db, "--json"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
    }

    @Test func aDeletedMessageIsShownAsRecovered() throws {
        let dir = try TestDirectory("recovered-messages"); defer { dir.remove() }
        let db = try Self.ingest("secure-off", in: dir)
        let rows = try Self.json(db)
        try #require(!rows.isEmpty)
        let recovered = rows.filter { $0["recovered"] as? Bool == true }
        try #require(recovered.count == 1)
        let cash = recovered[0]
        #expect(cash["text"] as? String == "돈은 현금으로 가져와 bring the cash")
        #expect(cash["sender"] as? String == "민지 Minji")
        #expect(cash["sent_utc"] as? String == "2024-08-28T06:12:00Z")
        let recordID = try #require(cash["recovered_record_id"] as? Int)
        // Live messages carry no mark and no record; none of them is repeated.
        #expect(rows.filter { $0["recovered"] as? Bool == false }.count == 5)
        #expect(rows.filter { $0["recovered"] as? Bool == false }.allSatisfy { $0["recovered_record_id"] is NSNull || $0["recovered_record_id"] == nil })

        let text = try Run.command(Fixture.exhibit, ["messages", "--db", db])
        #expect(text.exitCode == 0)
        let lines = text.stdout.split(separator: "\n").filter { $0.contains("bring the cash") }
        #expect(lines == ["2024-08-28T06:12:00Z  민지 Minji: [recovered deleted record #\(recordID)] 돈은 현금으로 가져와 bring the cash"])
        #expect(text.stdout.components(separatedBy: "[recovered deleted record").count == 2)
        let only = try Run.command(Fixture.exhibit, ["messages", "--db", db, "--recovered"])
        #expect(only.exitCode == 0)
        #expect(only.stdout.split(separator: "\n").filter { !$0.hasPrefix("==") } == lines)

        // The record is the sqlite-recovery analyzer's own row (one row for the place), and the
        // timeline's event for the message says it was recovered.
        let queue = try Fixture.open(db)
        let (analyzer, table, places, event) = try queue.read { c in
            (try String.fetchOne(c, sql: "SELECT analyzer_id FROM recovered_records WHERE id = ?", arguments: [recordID]),
             try String.fetchOne(c, sql: "SELECT table_name FROM recovered_records WHERE id = ?", arguments: [recordID]),
             try Int.fetchOne(c, sql: """
                SELECT count(*) FROM recovered_records r JOIN recovered_records x
                ON x.file_id = r.file_id AND x.source = r.source AND x.page = r.page AND x.cell_offset = r.cell_offset
                WHERE r.id = ?
                """, arguments: [recordID]),
             try String.fetchOne(c, sql: """
                SELECT e.description FROM events e JOIN messages m ON m.id = e.message_id WHERE m.recovered_record_id = ?
                """, arguments: [recordID]))
        }
        #expect(analyzer == "sqlite-recovery")
        #expect(table == "message")
        #expect(places == 1)
        #expect(event == "[recovered deleted record] 민지 Minji → WhatsApp “민지 Minji”: 돈은 현금으로 가져와 bring the cash")

        // `exhibit recovered` lists the record under the id the mark names, with its message.
        let listed = try Run.command(Fixture.exhibit, ["recovered", "--db", db, "--table", "message", "--no-duplicates", "--json"])
        #expect(listed.exitCode == 0, "\(listed.stderr)")
        let records = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let record = try #require(records.first { $0["id"] as? Int == recordID })
        #expect(record["message_id"] as? Int == cash["message_id"] as? Int)
        // Search shows the same mark; the Timesketch export carries the event's marked description;
        // the HTML transcript marks the message with its record.
        let search = try Run.command(Fixture.exhibit, ["search", "--db", db, "bring the cash"])
        #expect(search.exitCode == 0, "\(search.stderr)")
        #expect(search.stdout.contains("[recovered deleted record #\(recordID)]"))
        let jsonl = dir.path("case.jsonl")
        #expect(try Run.command(Fixture.exhibit, ["export", "--db", db, "--format", "timesketch", "--out", jsonl]).exitCode == 0)
        let exported = try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n").filter { $0.contains("bring the cash") }
        #expect(exported.count == 1)
        #expect(exported.allSatisfy { $0.contains("[recovered deleted record]") })
        let transcripts = dir.path("transcripts")
        #expect(try Run.command(Fixture.exhibit, ["export", "--db", db, "--format", "transcript", "--out", transcripts]).exitCode == 0)
        let pages = try FileManager.default.contentsOfDirectory(atPath: transcripts).filter { $0 != "index.html" && $0.hasSuffix(".html") }
        let html = try pages.map { try String(contentsOfFile: transcripts + "/" + $0, encoding: .utf8) }.joined()
        #expect(html.contains("recovered deleted record #\(recordID) (exhibit recovered)"))

        // The case report's chat list says how many of a chat's messages are recovered records.
        let report = dir.path("report.html")
        let r = try Run.command(Fixture.exhibit, ["report", "--db", db, "--out", report])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains("(1 recovered deleted record)"))
        let text2 = try Run.command(Fixture.exhibit, ["recovered", "--db", db, "--table", "message"])
        #expect(text2.stdout.split(separator: "\n").contains { $0.hasPrefix("#\(recordID) freeblock p") && $0.contains("[message #") })
    }

    @Test(arguments: ["revoked-vacuumed", "secure-on"]) func nothingIsClaimedWhenTheBytesAreGone(fixture: String) throws {
        let dir = try TestDirectory("recovered-none"); defer { dir.remove() }
        let db = try Self.ingest(fixture, in: dir)
        let rows = try Self.json(db)
        try #require(!rows.isEmpty)
        #expect(rows.count == (fixture == "secure-on" ? 5 : 6))
        #expect(rows.allSatisfy { $0["recovered"] as? Bool == false })
        let text = try Run.command(Fixture.exhibit, ["messages", "--db", db])
        #expect(!text.stdout.contains("recovered deleted record"))
        #expect(!text.stdout.contains("bring the cash"))
    }

    /// Telegram for iOS (issue 13): the postbox's t7 is a WITHOUT ROWID table; its deleted messages
    /// come back through `exhibit ingest` as recovered messages, each linked to the
    /// `sqlite-recovery` analyzer's row for the same place — one carve, shared by both analyzers.
    @Test func telegramIOSDeletedMessagesAreShownAsRecovered() throws {
        let dir = try TestDirectory("recovered-tgios"); defer { dir.remove() }
        let folder = dir.path("phone/telegram-data/account-8154432157466373651/postbox/db")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let src = Corpus.url("phone/telegram-ios/deleted")
        for name in ["db_sqlite", "db_sqlite-wal"] {
            try FileManager.default.copyItem(atPath: src.appendingPathComponent(name).path, toPath: folder + "/" + name)
        }
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([dir.path("phone")], db: db)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let rows = try Self.json(db)
        try #require(!rows.isEmpty)
        let recovered = rows.filter { $0["recovered"] as? Bool == true }
        #expect(recovered.compactMap { $0["text"] as? String }.sorted() == [
            "WAL-only deletion: meet at gate 3", "look 봐", "that picture 그 사진", "비밀 secret: the code is 4417, delete this"])
        #expect(rows.filter { $0["recovered"] as? Bool == false }.count == 36)
        let ids = recovered.compactMap { $0["recovered_record_id"] as? Int }
        #expect(ids.count == 4)
        let queue = try Fixture.open(db)
        let owners = try queue.read { c in
            try ids.map { try String.fetchOne(c, sql: "SELECT analyzer_id || ':' || table_name FROM recovered_records WHERE id = ?", arguments: [$0]) }
        }
        #expect(owners == Array(repeating: "sqlite-recovery:t7", count: 4))
        let text = try Run.command(Fixture.exhibit, ["messages", "--db", db, "--recovered"])
        #expect(text.exitCode == 0)
        #expect(text.stdout.contains("[recovered deleted record #") && text.stdout.contains("비밀 secret: the code is 4417, delete this"))
    }
}
