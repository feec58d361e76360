import ExhibitTesting
import Foundation
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 15, item 5: `case set-tz` and `hashset import` are atomic with their audit records. Killed
/// with SIGKILL at random moments, the case is never reported as tampered — only complete or
/// incomplete — and running the same command again gives the uninterrupted result.
@Suite("Integrity kill", .serialized)
struct IntegrityKillTests {
    static let seed: UInt64 = 20_241_207

    /// Kills `args` (run on a fresh copy of `base`) at `kills` random moments; each time checks
    /// `verify` says 0 or 7, re-runs the command, and compares with `reference`'s digest.
    static func killAndResume(base: String, dir: TestDirectory, name: String, args: (String) -> [String],
                              kills: Int, generator: inout SeededGenerator) throws {
        let reference = try Integrity.copy(base, to: dir.path("\(name)-reference.sqlite"))
        let start = Date()
        let done = try Run.command(Fixture.exhibit, args(reference))
        #expect(done.exitCode == 0, "\(done.stderr)")
        let duration = Date().timeIntervalSince(start)
        let expected = try Fixture.digest(reference)
        var incomplete = 0
        for i in 0..<kills {
            let db = try Integrity.copy(base, to: dir.path("\(name)-\(i).sqlite"))
            // Most of a short command's time is start-up: kill in the later part, where it writes.
            let delay = Double.random(in: (0.3 * duration)...max(0.05, duration), using: &generator)
            let group = try ProcessGroup(Fixture.exhibit, args(db))
            usleep(useconds_t(delay * 1_000_000))
            group.killGroup()
            let after = try Integrity.verify(db, ["--findings-only"])
            #expect([0, 7].contains(after.exitCode), "seed \(seed), \(name) kill \(i) after \(delay) s: \(after.stdout)\(after.stderr)")
            if after.exitCode == 7 {
                incomplete += 1
                #expect(after.stderr.contains("re-run the same command to finish"))
            }
            let again = try Run.command(Fixture.exhibit, args(db))
            #expect(again.exitCode == 0, "\(name) kill \(i): \(again.stderr)")
            let final = try Integrity.verify(db, ["--findings-only"])
            #expect(final.exitCode == 0, "\(name) kill \(i): \(final.stdout)")
            #expect(try Fixture.digest(db) == expected, "seed \(seed), \(name) kill \(i) after \(delay) s")
        }
        print("\(name): \(kills) kills, \(incomplete) left the case incomplete (seed \(seed), command \(duration) s)")
    }

    @Test func setTZAndHashSetImportSurviveKills() throws {
        let dir = try TestDirectory("integrity-kill"); defer { dir.remove() }
        let (base, _) = try Integrity.sampleCase(dir)
        var generator = SeededGenerator(seed: Self.seed)
        try Self.killAndResume(base: base, dir: dir, name: "set-tz", args: { ["case", "set-tz", "--db", $0, "Europe/London"] },
                               kills: 12, generator: &generator)
        let sha = Corpus.url("sample-case/known-bad/sha256.txt").path
        try Self.killAndResume(base: base, dir: dir, name: "hashset-import", args: {
            ["hashset", "import", "--db", $0, "--name", "bad", "--kind", "known-bad", "--algorithm", "sha256", sha]
        }, kills: 8, generator: &generator)
        // The re-import after a kill matched: the known-bad file is found.
        let matches = try Fixture.open(dir.path("hashset-import-0.sqlite")).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM hashset_matches") }
        #expect(matches ?? 0 > 0)
    }
}
