import ExhibitTesting
import Foundation
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Crash-only ingest: kill -9 the whole `exhibit ingest` (supervisor and worker) at random
/// moments, re-run the same command, and the result must equal an uninterrupted run.
@Suite(.serialized)
struct KillResumeTests {
    @Test func killNineAtRandomPointsThenResume() throws {
        let dir = try TestDirectory("kill"); defer { dir.remove() }
        // Evidence: a zip of many small files plus a nested tar.gz, and a second item.
        let src = dir.path("src")
        let n = ProcessInfo.processInfo.environment["EXHIBIT_LONG"] == nil ? 3000 : 10000
        #expect(try Run.shell("""
            set -e; mkdir -p '\(src)/many' '\(src)/inner'; cd '\(src)'
            for i in $(seq 1 \(n)); do echo "file $i" > many/f$i.txt; done
            for i in $(seq 1 200); do echo "inner $i" > inner/i$i.txt; done
            tar -czf inner.tar.gz inner && rm -r inner
            zip -q -r '\(dir.path("big.zip"))' many inner.tar.gz
            tar -czf '\(dir.path("second.tar.gz"))' many
            """).exitCode == 0)
        let evidence = [dir.path("big.zip"), dir.path("second.tar.gz")]
        let args = { (db: String) in ["ingest"] + evidence + ["--db", db, "--case", "K", "--batch-size", "64", "--assume-tz", "Asia/Seoul"] }

        let reference = dir.path("reference.sqlite")
        #expect(try Run.command(Fixture.exhibit, args(reference)).exitCode == 0)
        let expected = try Fixture.digest(reference)
        let totalFiles = try Fixture.open(reference).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files") } ?? 0
        #expect(totalFiles == n * 2 + 1 + 200 + 1 + 1 + 1)   // both copies of many/, inner.tar.gz + its 200 files + dirs

        // A reference run's duration bounds the kill points.
        let start = Date()
        #expect(try Run.command(Fixture.exhibit, args(dir.path("timing.sqlite"))).exitCode == 0)
        let duration = Date().timeIntervalSince(start)

        var generator = SeededGenerator(seed: 20240828)
        let kills = ProcessInfo.processInfo.environment["EXHIBIT_LONG"] == nil ? 20 : 60
        var interruptedRuns = 0
        for i in 0..<kills {
            let db = dir.path("k\(i).sqlite")
            // Kill once or twice before letting it finish.
            for _ in 0..<(1 + Int.random(in: 0...1, using: &generator)) {
                let g = try ProcessGroup(Fixture.exhibit, args(db))
                usleep(useconds_t(Double.random(in: 0.02...max(0.05, duration), using: &generator) * 1_000_000))
                g.killGroup()
                if FileManager.default.fileExists(atPath: db) { interruptedRuns += 1 }
                // What was acknowledged before the kill must survive the resume unchanged.
                let acknowledged = try committed(db)
                let resumed = try Run.command(Fixture.exhibit, args(db))
                #expect(resumed.exitCode == 0, "resume \(i) failed: \(resumed.stderr)")
                let after = try committed(db)
                for (key, sha) in acknowledged { #expect(after[key] == sha, "run \(i): \(key) lost or changed") }
            }
            #expect(try Fixture.open(db).read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
            #expect(try Fixture.digest(db) == expected, "run \(i): digest differs from the uninterrupted run")
        }
        #expect(interruptedRuns >= kills / 2)
    }

    private func committed(_ db: String) throws -> [String: String] {
        guard FileManager.default.fileExists(atPath: db) else { return [:] }
        var config = Configuration()
        config.busyMode = .timeout(10)   // a killed writer's locks go with its last breath
        let q = try DatabaseQueue(path: db, configuration: config)
        let hasTable = try q.read { try Bool.fetchOne($0, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'files'") } ?? false
        guard hasTable else { return [:] }
        return try q.read { db in
            var out: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT evidence_id, entry_key, coalesce(sha256, '') AS sha FROM files") {
                out["\(row["evidence_id"] as Int64)|\(row["entry_key"] as String)"] = row["sha"]
            }
            return out
        }
    }
}

/// SplitMix64: reproducible kill points.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
