import ExhibitKit
import ExhibitTesting
import Foundation
import Testing

/// `exhibit ingest` runs the sqlite-recovery analyzer on a database in the evidence, and
/// `exhibit recovered` lists what it found (issue 13).
@Suite("Recovered records through the CLI", .serialized)
struct RecoveredCLITests {
    @Test func ingestRecoversAndTheCommandLists() throws {
        let dir = try TestDirectory("recovered"); defer { dir.remove() }
        let evidence = dir.path("phone")
        try FileManager.default.createDirectory(atPath: evidence + "/data", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Corpus.url("recovery/freeblock.db").path, toPath: evidence + "/data/chat.db")
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([evidence], db: db)
        #expect(r.exitCode == 0, "\(r.stderr)")

        let list = try Run.command(Fixture.exhibit, ["recovered", "--db", db, "--table", "contacts", "--json"])
        #expect(list.exitCode == 0, "\(list.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(!rows.isEmpty)
        let five = try #require(rows.first { ($0["values"] as? [Any])?.contains { $0 as? String == "contact-5-name" } == true })
        #expect(five["table_name"] as? String == "contacts")
        #expect(five["duplicate_of_live"] as? Bool == false)
        #expect((five["path"] as? String)?.hasSuffix("/data/chat.db") == true)
        #expect(five["analyzer_id"] as? String == "sqlite-recovery")
        #expect(["freeblock", "unallocated"].contains(five["source"] as? String))

        let text = try Run.command(Fixture.exhibit, ["recovered", "--db", db, "--file", "*chat.db", "--no-duplicates"])
        #expect(text.exitCode == 0)
        #expect(text.stdout.contains("contact-5-name"))
        #expect(!text.stdout.contains("[dup of live]"))
        let none = try Run.command(Fixture.exhibit, ["recovered", "--db", db, "--table", "no_such_table"])
        #expect(none.exitCode == 0)
        #expect(none.stderr.contains("no recovered records match"))
    }

    @Test func theWALBesideTheDatabaseIsRead() throws {
        let dir = try TestDirectory("recovered-wal"); defer { dir.remove() }
        let evidence = dir.path("phone")
        try FileManager.default.createDirectory(atPath: evidence, withIntermediateDirectories: true)
        for name in ["wal.db", "wal.db-wal"] {
            try FileManager.default.copyItem(atPath: Corpus.url("recovery/\(name)").path, toPath: evidence + "/" + name)
        }
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([evidence], db: db)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let list = try Run.command(Fixture.exhibit, ["recovered", "--db", db, "--no-duplicates", "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        // The nine rows deleted or changed only in the WAL: only readable with the -wal beside it.
        #expect(Set(rows.compactMap { $0["rowid"] as? Int }) == [4, 9, 10, 33, 34, 35, 60, 80, 100])
        #expect(rows.contains { $0["source"] as? String == "wal" })
        #expect(rows.allSatisfy { ($0["path"] as? String)?.hasSuffix("/wal.db") == true })
    }
}
