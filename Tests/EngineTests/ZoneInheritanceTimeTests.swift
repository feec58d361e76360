import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Issue 15, item 7: an item added to a case without repeating `--assume-tz` reads its naive times
/// in the case's zone (said in the summary), and a different zone is refused. Run under several
/// `TZ` values by `make test` (tagged `.timeZone`): the machine's zone never matters.
@Suite("Zone inheritance Time", .tags(.timeZone))
struct ZoneInheritanceTimeTests {
    /// A zip whose member has a DOS time (naive wall clock): 2024-08-28 15:12:02.
    static func makeZip(_ dir: TestDirectory, _ name: String) throws -> String {
        let src = dir.path("src-\(name)")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        try Data("photo notes\n".utf8).write(to: URL(fileURLWithPath: src + "/note.txt"))
        let zip = dir.path(name)
        let r = try Run.shell("cd '\(src)' && TZ=UTC touch -t 202408281512.02 note.txt && TZ=UTC zip -q -X '\(zip)' note.txt")
        try #require(r.exitCode == 0, "\(r.stderr)")
        return zip
    }

    @Test func aLaterItemInheritsTheCasesZone() throws {
        let dir = try TestDirectory("zone-inherit")
        defer { dir.remove() }
        let first = try Self.makeZip(dir, "first.zip"), second = try Self.makeZip(dir, "second.zip")
        let db = dir.path("case.sqlite")
        let a = try Run.command(Fixture.exhibit, ["ingest", first, "--db", db, "--case", "Z", "--assume-tz", "Asia/Seoul"])
        try #require(a.exitCode == 0, "\(a.stderr)")
        let b = try Run.command(Fixture.exhibit, ["ingest", second, "--db", db, "--case", "Z"])
        try #require(b.exitCode == 0, "\(b.stderr)")
        #expect(b.stdout.contains("Assumed zone for naive times: Asia/Seoul (the case's zone; no --assume-tz given)"), "\(b.stdout)")
        let rows = try Fixture.open(db).read {
            try Row.fetchAll($0, sql: """
                SELECT e.label, e.assumed_zone, t.basis, t.utc FROM evidence e JOIN files f ON f.evidence_id = e.id
                JOIN file_times t ON t.file_id = f.id WHERE f.name = 'note.txt' AND t.kind = 'modified' ORDER BY e.label
                """)
        }
        #expect(rows.map { "\($0[0] as String) \(($0[1] as String?) ?? "-") \($0[2] as String) \(($0[3] as String?) ?? "-")" } == [
            "first.zip Asia/Seoul assumed-zone 2024-08-28T06:12:02Z",
            "second.zip Asia/Seoul assumed-zone 2024-08-28T06:12:02Z",
        ])
        // Another zone for the same case is refused before anything is written.
        let c = try Run.command(Fixture.exhibit, ["ingest", second, "--db", db, "--case", "Z", "--assume-tz", "Europe/Berlin"])
        #expect(c.exitCode == 2)
        #expect(c.stderr.contains("the case's assumed zone is Asia/Seoul"))
    }

    /// The case keeps the zone's name as the examiner gave it: Foundation reports `UTC` as `GMT`,
    /// and a case stored as `GMT` would refuse its own next item given `--assume-tz UTC`.
    @Test func utcIsStoredAsUTCAndInheritedAsIs() throws {
        let dir = try TestDirectory("zone-utc")
        defer { dir.remove() }
        let first = try Self.makeZip(dir, "first.zip"), second = try Self.makeZip(dir, "second.zip")
        let db = dir.path("case.sqlite")
        let a = try Run.command(Fixture.exhibit, ["ingest", first, "--db", db, "--case", "U", "--assume-tz", "UTC"])
        try #require(a.exitCode == 0, "\(a.stderr)")
        let b = try Run.command(Fixture.exhibit, ["ingest", second, "--db", db, "--case", "U"])
        try #require(b.exitCode == 0, "\(b.stderr)")
        #expect(b.stdout.contains("Assumed zone for naive times: UTC (the case's zone; no --assume-tz given)"), "\(b.stdout)")
        let c = try Run.command(Fixture.exhibit, ["ingest", second, "--db", db, "--case", "U", "--assume-tz", "UTC"])
        #expect(c.exitCode == 0, "\(c.stderr)")
        let zones = try Fixture.open(db).read {
            try String.fetchAll($0, sql: "SELECT assumed_zone FROM evidence ORDER BY id")
                + String.fetchAll($0, sql: "SELECT assumed_zone FROM cases")
        }
        #expect(Set(zones) == ["UTC"], "\(zones)")
    }
}
