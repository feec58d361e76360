import ArgumentParser
import Engine
import EvidenceStore
import ExhibitKit
import Foundation

/// The `exhibit` command tree. Front ends (the shipped `exhibit`, the test bed) set
/// ``catalog`` before calling `ExhibitCommand.runMain()`.
public struct ExhibitCommand: ParsableCommand {
    /// The analyzers this front end offers. Set once at start-up, before parsing.
    nonisolated(unsafe) public static var catalog = AnalyzerCatalog.builtin

    public static let configuration = CommandConfiguration(
        commandName: "exhibit",
        abstract: "Offline forensic toolkit: ingest seized archives into a SQLite evidence database.",
        discussion: """
        Start with:  exhibit ingest seized.zip --db case.sqlite \\
                         --case 2024-SEOUL-0042 --examiner "Kim J." \\
                         --assume-tz Asia/Seoul
        Then:        exhibit files --db case.sqlite --status encrypted
                     exhibit verify --db case.sqlite
                     exhibit messages --db case.sqlite --chat Minji
                     exhibit search --db case.sqlite 딥페이크
                     exhibit digest --db case.sqlite
        """,
        version: ExhibitVersion.current,
        subcommands: [IngestCommand.self, FilesCommand.self, MessagesCommand.self, MetadataCommand.self, SearchCommand.self, VerifyCommand.self,
                      DigestCommand.self, AnalyzersCommand.self,
                      HashSetCommand.self, MatchCommand.self, MatchesCommand.self,
                      TimelineCommand.self, SpreadCommand.self, CaseCommand.self,
                      ExportCommand.self, ReportCommand.self, PluginCommand.self, RecoveredCommand.self, ProblemsCommand.self, KeyCommand.self, LabCommand.self,
                      ServeCommand.self])

    public init() {}
}

/// Shared `--db` option.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "The case database (SQLite).")
    var db: String
}

/// Errors that name the file and the remedy, with the exit code scripts can rely on.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var code: Int32
    var description: String { message }
}

/// Prints a `--json` output through ``OutputJSON`` (snake_case keys, every key present, a local
/// time beside every UTC time when `clock` is given).
func printJSON(_ value: some Encodable, clock: CaseTimeText? = nil) throws {
    FileHandle.standardOutput.write(Data((try OutputJSON.text(value, clock: clock) + "\n").utf8))
}

/// Exits with `code` after printing `message` to stderr (ArgumentParser's own errors use 64).
func fail(_ message: String, code: Int32) -> Never {
    // Messages name evidence paths and labels: no control sequences reach the terminal.
    FileHandle.standardError.write(Data("exhibit: \(TerminalText.safe(message, keepNewlines: true))\n".utf8))
    exit(code)
}

/// Parses sizes such as `512M`, `4G`, `1T`, `1000` (bytes, binary multiples).
func parseSize(_ text: String) -> Int64? {
    let t = text.trimmingCharacters(in: .whitespaces).uppercased()
    let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
    if let last = t.last, let mul = units[last] { return Int64(t.dropLast()).map { $0 * mul } }
    return Int64(t)
}

extension ExhibitCommand {
    /// Runs the command line. Usage errors (a missing argument, a bad value, a failed
    /// `validate()`) exit **2**, as every command's help says, not ArgumentParser's default 64;
    /// help, version and every other exit are ArgumentParser's own.
    public static func runMain() -> Never {
        do {
            var command = try parseAsRoot()
            try command.run()
            exit()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
