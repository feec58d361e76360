import Foundation

/// The real binaries as the end-to-end suites run them (`exhibit`, and the test bed with its
/// misbehaving analyzers), shared by every test target that drives the CLI.
public enum CLIFixture {
    /// The built `exhibit`.
    public static let exhibit = Corpus.executable("exhibit")
    /// The built `exhibit-testbed` (the real CLI plus test-only analyzers).
    public static let testbed = Corpus.executable("exhibit-testbed")

    /// `exhibit ingest … --json` with the common flags (case `TEST-1`, examiner `Tester`).
    @discardableResult
    public static func ingest(_ evidence: [String], db: String, binary: String = exhibit, extra: [String] = [],
                              environment: [String: String] = [:]) throws -> CommandResult {
        try Run.command(binary, ["ingest"] + evidence + ["--db", db, "--case", "TEST-1", "--examiner", "Tester", "--json"] + extra,
                        environment: environment)
    }

    /// The findings digest `exhibit digest` prints (its last line); throws when the command fails.
    public static func digest(_ db: String) throws -> String {
        let r = try Run.command(exhibit, ["digest", "--db", db])
        guard r.exitCode == 0 else { throw CLIFixtureError.commandFailed("exhibit digest: \(r.stderr)") }
        return r.stdout.split(separator: "\n").last.map(String.init) ?? ""
    }

    /// A written output (report, export) as UTF-8 text.
    public static func readText(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }
}

/// A fixture command that did not succeed.
public enum CLIFixtureError: Error, CustomStringConvertible {
    /// The command and its standard error.
    case commandFailed(String)

    /// The command and what it printed.
    public var description: String {
        switch self { case .commandFailed(let m): return m }
    }
}
