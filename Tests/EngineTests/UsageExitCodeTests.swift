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
}
