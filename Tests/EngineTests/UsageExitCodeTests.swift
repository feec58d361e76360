import ExhibitTesting
import Foundation
import Testing

/// Issue 15, item 13: every command's help says `2 bad usage`; an unknown option, a missing
/// argument or a value its validation refuses exits 2 (ArgumentParser's default is 64) and
/// creates nothing.
@Suite("Usage errors exit 2")
struct UsageExitCodeTests {
    static let commands: [[String]] = [
        ["ingest"], ["files"], ["messages"], ["metadata"], ["search"], ["verify"], ["digest"], ["analyzers"],
        ["hashset", "import"], ["hashset", "list"], ["match"], ["matches"], ["timeline"], ["spread"],
        ["case", "set-tz"], ["case", "rebuild"], ["export"], ["report"], ["plugin", "test"], ["recovered"], ["key", "new"],
    ]

    @Test(arguments: commands) func anUnknownOptionExitsTwo(command: [String]) throws {
        let r = try Run.command(Fixture.exhibit, command + ["--no-such-option"])
        #expect(r.exitCode == 2, "\(command.joined(separator: " ")): exit \(r.exitCode) \(r.stderr)")
        #expect(r.stderr.contains("Error: "), "\(r.stderr)")
    }

    @Test func aRefusedValueExitsTwoAndWritesNothing() throws {
        let dir = try TestDirectory("usage")
        defer { dir.remove() }
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir.path("e.txt")))
        let db = dir.path("case.sqlite")
        let r = try Run.command(Fixture.exhibit, ["ingest", dir.path("e.txt"), "--db", db, "--case", "C", "--seized-at", "30/08/2024"])
        #expect(r.exitCode == 2)
        #expect(r.stderr.contains("--seized-at '30/08/2024' is not a form Exhibit reads"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db), "no case database is created")
    }

    /// A closed vocabulary is parsed once, at the command line: a mistyped file status is a
    /// usage error naming the accepted values, not an empty listing.
    @Test func anUnknownFileStatusExitsTwo() throws {
        let r = try Run.command(Fixture.exhibit, ["files", "--db", "/nonexistent/case.sqlite", "--status", "okay"])
        #expect(r.exitCode == 2, "exit \(r.exitCode) \(r.stderr)")
        #expect(r.stderr.contains("'okay' is invalid for '--status <status>'") && r.stderr.contains("limit-exceeded"), "\(r.stderr)")
    }

    /// The same for `exhibit problems --status`: the analysis statuses are a closed set.
    @Test func anUnknownProblemStatusExitsTwo() throws {
        let r = try Run.command(Fixture.exhibit, ["problems", "--db", "/nonexistent/case.sqlite", "--status", "errors"])
        #expect(r.exitCode == 2, "exit \(r.exitCode) \(r.stderr)")
        #expect(r.stderr.contains("'errors' is invalid for '--status <status>'") && r.stderr.contains("timeout"), "\(r.stderr)")
    }

    @Test func aMistypedPathCreatesNoCaseFile() throws {
        let dir = try TestDirectory("usage-path")
        defer { dir.remove() }
        let db = dir.path("case.sqlite")
        let ingest = try Run.command(Fixture.exhibit, ["ingest", dir.path("no-such.zip"), "--db", db, "--case", "C"])
        #expect(ingest.exitCode == 2)
        #expect(ingest.stderr.contains("evidence not found"), "\(ingest.stderr)")
        let imported = try Run.command(Fixture.exhibit, ["hashset", "import", "--db", db, "--name", "n", "--kind", "known-bad",
                                                         "--algorithm", "sha256", dir.path("no-such.txt")])
        #expect(imported.exitCode == 2)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path(""))
        #expect(left.isEmpty, "\(left)")
    }
}
