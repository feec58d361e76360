import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Issue 15, item 9: an archive time of zero (1970-01-01T00:00:00Z, what libarchive reports for a
/// field the archive does not hold) stays in `file_times` as found but is not a timeline event.
@Suite("Zero archive times Time", .tags(.timeZone))
struct ZeroTimeTimelineTests {
    @Test func aZeroArchiveTimeIsNotAnEvent() throws {
        let dir = try TestDirectory("zero-time")
        defer { dir.remove() }
        let tar = dir.path("two.tar")
        let made = try Run.command("/usr/bin/env", ["python3", "-c", """
            import io, tarfile, sys
            with tarfile.open(sys.argv[1], "w", format=tarfile.USTAR_FORMAT) as t:
                for name, mtime in (("zero.txt", 0), ("real.txt", 1724825523)):
                    data = name.encode()
                    info = tarfile.TarInfo(name); info.size = len(data); info.mtime = mtime
                    t.addfile(info, io.BytesIO(data))
            """, tar])
        try #require(made.exitCode == 0, "\(made.stderr)")
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([tar], db: db)
        try #require(r.exitCode == 0, "\(r.stderr)")
        let q = try Fixture.open(db)
        let kept = try q.read {
            try String.fetchAll($0, sql: """
                SELECT f.name || ' ' || t.utc FROM file_times t JOIN files f ON f.id = t.file_id
                WHERE t.kind = 'modified' AND f.name IN ('zero.txt', 'real.txt') ORDER BY f.name
                """)
        }
        #expect(kept == ["real.txt 2024-08-28T06:12:03Z", "zero.txt 1970-01-01T00:00:00Z"], "the zero time is kept as found")
        let events = try q.read {
            try String.fetchAll($0, sql: "SELECT kind || ' ' || utc FROM events WHERE kind LIKE 'file.%' ORDER BY utc")
        }
        #expect(!events.isEmpty)
        #expect(events.allSatisfy { !$0.contains("1970-01-01") }, "\(events)")
        #expect(events.contains("file.modified 2024-08-28T06:12:03Z"))
    }
}
