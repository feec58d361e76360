import ExhibitTesting
import Foundation
import GRDB
import LabIndex
import Testing

/// Lab-wide hash sets on a real PostgreSQL: the demo known-bad lists imported once into the lab
/// (`exhibit lab hashset import`); a worker then ingests two cases whose databases never had the
/// lists imported by hand, imports the lab's lists into each before ingesting, and the cases end
/// with exactly the digest of a single-machine ingest that imported the same lists first (so the
/// same matches), and `lab known` shows the known pictures in both. Bad lists: a list with no
/// valid line, the same name with other content, and a list changed on storage after its import.
@Suite("Lab index: lab-wide hash sets")
struct LabHashSetTests {
    @Test func labListsAreAppliedByWorkersToEveryCase() async throws {
        let (a, b, _) = try LabFixture.cases.get()   // single-machine ingests with the lists imported first
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let dir = try TestDirectory("lab-hashsets")
        defer { dir.remove() }
        let cases = dir.path("cases")
        try FileManager.default.createDirectory(atPath: cases, withIntermediateDirectories: true)
        let urlFile = dir.path("lab.url")
        try cluster.url.write(toFile: urlFile, atomically: true, encoding: .utf8)
        let url = try LabURL(parsing: cluster.url)
        func lab(_ args: [String]) throws -> CommandResult {
            try Run.command(LabFixture.exhibit, ["lab"] + [args[0]] + (args[0] == "hashset" ? [args[1], "--postgres-url-file", urlFile] + args.dropFirst(2)
                                                                                               : ["--postgres-url-file", urlFile] + args.dropFirst()))
        }
        var r = try lab(["init"])
        try #require(r.exitCode == 0, "\(r.stderr)")
        for (set, algorithm, file) in [("demo-known-pdq", "pdq", "pdq.txt"), ("demo-known-sha256", "sha256", "sha256.txt")] {
            r = try lab(["hashset", "import", "--name", set, "--kind", "known-bad", "--algorithm", algorithm, Corpus.url("sample-case/known-bad/\(file)").path])
            #expect(r.exitCode == 0 && r.stdout.hasPrefix("imported \(set) (known-bad, "), "\(r.stdout)\(r.stderr)")
        }
        // The same list again: nothing new.
        r = try lab(["hashset", "import", "--name", "demo-known-pdq", "--kind", "known-bad", "--algorithm", "pdq", Corpus.url("sample-case/known-bad/pdq.txt").path])
        #expect(r.exitCode == 0 && r.stdout.hasPrefix("already imported demo-known-pdq"), "\(r.stdout)\(r.stderr)")
        // The same name with other content, and a list with no valid line: refused, nothing stored.
        r = try lab(["hashset", "import", "--name", "demo-known-pdq", "--kind", "known-bad", "--algorithm", "sha256", Corpus.url("sample-case/known-bad/sha256.txt").path])
        #expect(r.exitCode == 1 && r.stderr.contains("other content"), "\(r.stdout)\(r.stderr)")
        let junk = dir.path("junk.txt")
        try "not a hash\nzzzz\n".write(toFile: junk, atomically: true, encoding: .utf8)
        r = try lab(["hashset", "import", "--name", "junk", "--kind", "known-bad", junk])
        #expect(r.exitCode == 1 && r.stderr.contains("hash-set import failed"), "\(r.stdout)\(r.stderr)")
        r = try lab(["hashset", "import", "--name", "x", "--kind", "maybe-bad", junk])
        #expect(r.exitCode == 2, "\(r.stderr)")

        let (sets, entries) = try await LabFixture.session(url) { l in
            var n = 0
            for try await c in try await l.rawQuery("SELECT count(*)::integer FROM lab_hashset_entries").decode(Int.self) { n = c }
            return (try await l.hashSets(), n)
        }
        #expect(sets.map(\.name) == ["demo-known-pdq", "demo-known-sha256"])
        // Every entry the case database's importer keeps, in the lab too.
        let caseEntries = try await LabFixture.open(a).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM hashset_entries") ?? -1 }
        #expect(entries == caseEntries && entries > 0)

        for (name, item) in [("LAB-A", "sample-case/pc-export.tar.gz"), ("LAB-B", "phone/android/android-ffs.tar")] {
            r = try lab(["submit", "--case", name, "--examiner", "Lab Tester", "--assume-tz", "Asia/Seoul", Corpus.url(item).path])
            try #require(r.exitCode == 0, "\(r.stderr)")
        }
        let log = dir.path("worker.log")
        let w = try LabQueueTests.worker(urlFile, cases, log: log, lease: 30)
        let code = LabQueueTests.wait(w, seconds: 240)
        #expect(code == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        for (name, reference) in [("LAB-A", a), ("LAB-B", b)] {
            #expect(try LabQueueTests.digest("\(cases)/\(name).sqlite") == LabQueueTests.digest(reference), "\(name): digest differs")
        }
        let known = try await LabFixture.session(url) { try await $0.known() }
        #expect(known.map(\.hashset) == ["demo-known-pdq", "demo-known-sha256"])
        #expect(known.allSatisfy { $0.cases == 2 }, "\(known)")

        // A list that changed on storage after its import into the lab: the worker refuses it.
        let moving = dir.path("moving.txt")
        try FileManager.default.copyItem(atPath: Corpus.url("sample-case/known-bad/sha256.txt").path, toPath: moving)
        r = try lab(["hashset", "import", "--name", "moving", "--kind", "known-bad", "--algorithm", "sha256", moving])
        try #require(r.exitCode == 0, "\(r.stderr)")
        try (String(contentsOfFile: moving, encoding: .utf8) + String(repeating: "ab", count: 32) + "\n").write(toFile: moving, atomically: true, encoding: .utf8)
        r = try lab(["submit", "--case", "LAB-C", "--examiner", "Lab Tester", Corpus.url("sample-case/pc-export.tar.gz").path])
        try #require(r.exitCode == 0, "\(r.stderr)")
        let w2 = try LabQueueTests.worker(urlFile, cases, log: log, lease: 30)
        _ = LabQueueTests.wait(w2, seconds: 120)
        let status = try await LabFixture.session(url) { try await $0.status() }
        let problem = try #require(status.problems.first { $0.caseName == "LAB-C" })
        #expect(problem.state == "failed" && problem.note.contains("moving.txt changed since it was imported"), "\(problem)")
        #expect(!FileManager.default.fileExists(atPath: "\(cases)/LAB-C.sqlite"), "nothing ingested with a changed list")
    }
}
