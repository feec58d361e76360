import ExhibitTesting
import Foundation
import Testing

/// `--assume-tz` is one option read by one parser (`CaseZone.resolve`) for `exhibit ingest` and
/// `exhibit plugin test`: an unknown zone is the same usage error (exit 2, the same sentence) on
/// both, before anything is written or started.
@Suite struct AssumedZoneOptionTests {
    @Test func ingestAndPluginTestRefuseAnUnknownZoneAlike() throws {
        let dir = try TestDirectory("assumed-zone-option"); defer { dir.remove() }
        let evidence = dir.path("ev.txt")
        try "x".write(toFile: evidence, atomically: true, encoding: .utf8)
        let plugin = Corpus.packageRoot().appendingPathComponent("plugins/examples/android-sms").path
        let runs = [
            try Run.command(Fixture.exhibit, ["ingest", evidence, "--db", dir.path("case.sqlite"), "--assume-tz", "Mars/Olympus"]),
            try Run.command(Fixture.exhibit, ["plugin", "test", plugin, "--assume-tz", "Mars/Olympus"]),
        ]
        for r in runs {
            #expect(r.exitCode == 2, "\(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("unknown time zone 'Mars/Olympus': use an IANA name such as Asia/Seoul or UTC"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("case.sqlite")), "a refused zone wrote a case database")
        // A known zone is accepted by the same option (the example's fixtures pass in Seoul).
        let ok = try Run.command(Fixture.exhibit, ["plugin", "test", plugin, "--assume-tz", "Asia/Seoul"])
        #expect(ok.exitCode == 0, "\(ok.stdout)\(ok.stderr)")
    }
}
