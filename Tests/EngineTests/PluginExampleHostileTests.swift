import ExhibitTesting
import Foundation
import Testing

/// The shipped Android SMS example against a damaged store: one row whose `date` is far outside
/// any real time (as a corrupt or crafted database holds) costs a `bad-date` warning for that
/// row, not the whole file (the host refuses epoch times beyond about ±3000 years, which would
/// make the entire reply invalid).
@Suite(.serialized)
struct PluginExampleHostileTests {
    @Test func androidSMSOutOfRangeDateIsAWarning() throws {
        let dir = try TestDirectory("plugin-sms-hostile"); defer { dir.remove() }
        let fixtures = dir.path("fixtures")
        try FileManager.default.createDirectory(atPath: fixtures, withIntermediateDirectories: true)
        let db = fixtures + "/mmssms.db"
        let made = try Run.command("/usr/bin/python3", ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, date INTEGER, type INTEGER, body TEXT)")
            db.execute("INSERT INTO sms VALUES (1, 1, '+821012345678', 9223372036854775807, 1, 'corrupt date')")
            db.execute("INSERT INTO sms VALUES (2, 1, '+821012345678', 1724825523000, 1, 'fine')")
            db.commit()
            """, db])
        #expect(made.exitCode == 0, "\(made.stderr)")
        let r = try Run.command(Fixture.exhibit, ["plugin", "test", PluginExampleTimeTests.examples + "/android-sms", "--fixtures", fixtures])
        #expect(r.stdout.contains("PASS fixture mmssms.db: 5 findings (chat 1, message 2, participant 1, warning 1)"), "\(r.stdout)\n\(r.stderr)")
    }
}
