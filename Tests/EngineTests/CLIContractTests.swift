import ExhibitTesting
import Foundation
import Testing

/// Issue 15, item 18: the output contracts every command shares. Example commands in `--help`
/// (and so in docs/cli.md) are never wrapped in the middle at 80 columns, so they paste as
/// they are; every `--json` output uses snake_case keys and writes every key (null when
/// unknown), so a script can rely on a key being there.
@Suite("CLI output contracts", .serialized)
struct CLIContractTests {
    /// Every command and subcommand, as docs/gen-cli.sh lists them.
    static let commands: [[String]] = [
        [], ["ingest"], ["files"], ["messages"], ["metadata"], ["search"], ["verify"], ["digest"], ["analyzers"],
        ["hashset", "import"], ["hashset", "list"], ["match"], ["matches"], ["timeline"], ["spread"], ["case"],
        ["case", "set-tz"], ["case", "rebuild"], ["export"], ["report"], ["plugin"], ["plugin", "new"], ["plugin", "test"],
        ["recovered"], ["problems"], ["key"], ["key", "new"], ["key", "public"], ["lab"], ["lab", "init"], ["lab", "publish"],
        ["lab", "spread"], ["lab", "search"], ["lab", "known"], ["lab", "submit"], ["lab", "worker"], ["lab", "status"],
        ["lab", "rebuild"], ["serve"],
    ]

    /// The example lines of a help text: a command line (`exhibit …`, also after `Start with:` or
    /// `Then:`) and every line continuing one (after a trailing backslash).
    static func exampleLines(_ help: String) -> [String] {
        var out: [String] = []
        var continued = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let t = line.trimmingCharacters(in: .whitespaces)
            let isExample = t.hasPrefix("exhibit ") || t.hasPrefix("Start with:  exhibit ") || t.hasPrefix("Then:  ") || continued
            if isExample { out.append(line) }
            continued = isExample && t.hasSuffix("\\")
        }
        return out
    }

    @Test(arguments: commands) func helpExamplesAreNotWrapped(command: [String]) throws {
        let wide = try Run.command(Fixture.exhibit, command + ["--help"], environment: ["COLUMNS": "1000"])
        let narrow = try Run.command(Fixture.exhibit, command + ["--help"], environment: ["COLUMNS": "80"])
        #expect(wide.exitCode == 0 && narrow.exitCode == 0)
        let examples = Self.exampleLines(wide.stdout)
        let narrowLines = Set(narrow.stdout.split(separator: "\n").map(String.init))
        for line in examples {
            // ArgumentParser wraps a line that does not end before the 80th column.
            #expect(line.count < 80, "exhibit \(command.joined(separator: " ")): example too long for 80 columns: \(line)")
            #expect(narrowLines.contains(line), "exhibit \(command.joined(separator: " ")): example wrapped at 80 columns: \(line)")
        }
    }

    /// Keys of these objects are data (status names, metadata tag or time names, reasons), not field names.
    static let dataKeyed: Set<String> = ["status_counts", "phase_seconds", "times", "omitted", "notes", "values", "details", "properties"]

    /// Every key snake_case; in every array of objects, every object has the same keys.
    static func check(_ value: Any, at path: String, problems: inout [String]) {
        if let dict = value as? [String: Any] {
            for (k, v) in dict {
                if !dataKeyed.contains(path.split(separator: ".").last.map(String.init) ?? ""),
                   k.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) == nil {
                    problems.append("\(path).\(k): not snake_case")
                }
                check(v, at: "\(path).\(k)", problems: &problems)
            }
        } else if let array = value as? [Any] {
            let objects = array.compactMap { $0 as? [String: Any] }
            if let first = objects.first, !dataKeyed.contains(path.split(separator: ".").last.map(String.init) ?? "") {
                for o in objects where Set(o.keys) != Set(first.keys) {
                    problems.append("\(path)[]: keys differ between elements: \(Set(o.keys).symmetricDifference(first.keys).sorted())")
                    break
                }
            }
            for v in array { check(v, at: path, problems: &problems) }
        }
    }

    @Test func everyJSONOutputIsSnakeCaseWithEveryKey() throws {
        let dir = try TestDirectory("json-contract")
        defer { dir.remove() }
        let db = dir.path("case.sqlite")
        let known = Corpus.url("sample-case/known-bad").path
        for (name, algorithm) in [("pdq", "pdq"), ("sha", "sha256")] {
            let r = try Run.command(Fixture.exhibit, ["hashset", "import", "--db", db, "--name", name, "--kind", "known-bad",
                                                      "--algorithm", algorithm, "\(known)/\(algorithm).txt"])
            try #require(r.exitCode == 0, "\(r.stderr)")
        }
        // A WhatsApp database with deleted rows (recovered records) and a damaged one (a problem
        // row), so `recovered --json` and `problems --json` have rows to check too.
        let databases = dir.path("phone/data/data/com.whatsapp/databases")
        try FileManager.default.createDirectory(atPath: databases, withIntermediateDirectories: true)
        let deleted = Corpus.url("phone/whatsapp/deleted/secure-off")
        for name in try FileManager.default.contentsOfDirectory(atPath: deleted.path).sorted() {
            try FileManager.default.copyItem(atPath: deleted.appendingPathComponent(name).path, toPath: databases + "/" + name)
        }
        let bad = dir.path("bad/data/data/com.whatsapp/databases")
        try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: true)
        try (Data("SQLite format 3\u{0}".utf8) + Data(repeating: 0xAB, count: 4000)).write(to: URL(fileURLWithPath: bad + "/msgstore.db"))
        let ingest = try Fixture.ingest([Corpus.url("sample-case/phone-dump.zip").path, dir.path("phone"), dir.path("bad")], db: db,
                                        extra: ["--assume-tz", "Asia/Seoul"])
        try #require(ingest.exitCode == 0, "\(ingest.stderr)")
        let picture = "phone-dump.zip!/sdcard/DCIM/Camera/IMG_20240828_151203.jpg"
        let runs: [[String]] = [
            ["files", "--db", db, "--json"], ["messages", "--db", db, "--json"], ["search", "--db", db, "사진", "--json"],
            ["metadata", "--db", db, picture, "--json"], ["spread", "--db", db, "--json"], ["spread", "--db", db, "--known", "--json"],
            ["matches", "--db", db, "--json"], ["matches", "--db", db, "--all", "--json"], ["hashset", "list", "--db", db, "--json"],
            ["problems", "--db", db, "--json"], ["recovered", "--db", db, "--json"], ["analyzers", "--json"],
            ["export", "--db", db, "--format", "csv", "--out", dir.path("t.csv"), "--json"],
        ]
        var outputs: [(String, String)] = [("ingest --json", ingest.stdout)]
        for args in runs {
            let r = try Run.command(Fixture.exhibit, args)
            #expect(r.exitCode == 0, "\(args.joined(separator: " ")): \(r.stderr)")
            outputs.append((args.prefix(2).joined(separator: " "), r.stdout))
        }
        let timeline = try Run.command(Fixture.exhibit, ["timeline", "--db", db, "--format", "jsonl", "--all"])
        let lines = timeline.stdout.split(separator: "\n").map(String.init)
        try #require(!lines.isEmpty)
        outputs.append(("timeline --format jsonl", "[" + lines.joined(separator: ",") + "]"))

        for (name, text) in outputs {
            let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
            // Every command had something to say about this case: an empty output proves nothing.
            #expect((value as? [Any])?.isEmpty != true, "\(name): empty")
            var problems: [String] = []
            Self.check(value, at: name, problems: &problems)
            #expect(problems.isEmpty, "\(name): \(problems.prefix(10))")
        }
        // The known-media rows name their file with file_id (it was fileID) and always carry
        // framesMatched's snake_case twin, null for a picture.
        let matchesText: String = outputs.first(where: { $0.0 == "matches --db" })?.1 ?? "[]"
        let matches = (try JSONSerialization.jsonObject(with: Data(matchesText.utf8)) as? [[String: Any]]) ?? []
        try #require(!matches.isEmpty)
        #expect(matches.allSatisfy { $0["file_id"] is Int && $0.keys.contains("frames_matched") })
        let carried = matches.flatMap { $0["messages"] as? [[String: Any]] ?? [] }
        #expect(carried.contains { ($0["sent_utc"] as? String) != nil && ($0["sent_local"] as? String)?.hasSuffix("+09:00") == true })
    }
}
