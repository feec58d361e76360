import ArgumentParser
import Engine
import ExhibitSupport
import Foundation
import PluginHost

/// `exhibit plugin new|test`: writing and checking external analyzer plugins (docs/plugins.md).
struct PluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Create and test external analyzer plugins (any language; docs/plugins.md).",
        subcommands: [PluginNewCommand.self, PluginTestCommand.self, PluginExecCommand.self, PluginWireDocCommand.self])
}

struct PluginNewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Scaffold a working plugin: plugin.json, the executable, a sample fixture, a README.",
        discussion: """
        Examples:
          exhibit plugin new smsdb --lang python    # ./smsdb, standard library only
          exhibit plugin new bankapp --lang swift --dir ~/plugins/bankapp

        The result passes 'exhibit plugin test DIR' unedited. Swift plugins are one file built with
        plain 'swiftc -O main.swift -o NAME' (done for you when swiftc is on PATH).
        """)

    @Argument(help: "Plugin id: a-z 0-9 . - _, starting with a letter.") var name: String
    @Option(help: "python or swift.") var lang: String = "python"
    @Option(help: "Where to create it (default ./NAME); must not exist or be empty.") var dir: String?

    func run() throws {
        guard let language = PluginScaffold.Language(rawValue: lang) else {
            throw ValidationError("--lang must be python or swift, not '\(lang)'")
        }
        let target = dir ?? name
        do {
            let made = try PluginScaffold.create(name: name, language: language, directory: target)
            print("Created plugin \(name) in \(target):")
            for f in made.files { print("  \(f)") }
            for n in made.notes { print(n) }
            print("Next: exhibit plugin test \(target)")
        } catch { fail("\(error)", code: 1) }
    }
}

struct PluginTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a plugin on its fixtures and on hostile inputs; validate every reply line.",
        discussion: """
        Example:
          exhibit plugin test ./smsdb               # fixtures from ./smsdb/fixtures
          exhibit plugin test ./smsdb --fixtures ~/samples/sms

        The plugin runs in the same sandbox as during 'exhibit ingest'. Fixtures must give valid
        findings; the hostile inputs (empty, truncated, random bytes, a 64 MiB file) must give a
        valid reply (findings, warnings or a declared error) without a crash, hang or invalid line.
        A fixture X with X.expected.json beside it must reply exactly those finding lines (kind and
        data, compared as canonical JSON); --update-expected writes them from the current reply.
        Exit codes: 0 all checks passed; 1 a check failed.
        """)

    @Argument(help: "The plugin directory (holding plugin.json).") var directory: String
    @Option(help: "Folder of sample files (default DIR/fixtures).") var fixtures: String?
    @OptionGroup var zoneOption: AssumedZoneOption
    @Flag(help: "Write each fixture's reply to FIXTURE.expected.json instead of comparing with it.") var updateExpected = false

    func run() throws {
        let zone = try zoneOption.zone()
        let launch = PluginLaunch(executable: Supervisor.currentExecutable(), protect: [], scratchRoot: TemporaryDirectory.defaultRoot)
        let report = PluginConformance.run(directory: directory, fixtures: fixtures, launch: launch, assumedZone: zone,
                                           updateExpected: updateExpected)
        for line in report.lines { print(line) }
        if !report.ok { throw ExitCode(1) }
    }
}

/// Hidden: the sandbox trampoline. The host starts this in place of the plugin; it confines the
/// plugin (rlimits, namespaces, read-only mounts, Landlock, no capabilities, seccomp), reports what
/// it enforced on stderr, and runs the plugin (docs/plugins.md).
struct PluginExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", abstract: "Internal: run a plugin sandboxed.",
                                                    shouldDisplay: false)
    @Option var scratch: String
    @Option var dir: String
    @Option var memoryMb: Int = 2048
    @Option var cpuSeconds: Int = 3600
    @Option var scratchMb: Int = 512
    @Option var protect: [String] = []
    @Option var read: [String] = []
    @Argument(parsing: .postTerminator) var command: [String] = []

    func run() throws {
        guard !command.isEmpty else { fail("plugin exec: no command", code: 2) }
        let sandbox = PluginSandbox(scratch: scratch, protect: protect, readable: read, memoryMB: memoryMb,
                                    cpuSeconds: cpuSeconds, scratchMB: scratchMb)
        let why = sandbox.run(command, directory: dir)
        fail("plugin exec: \(why)", code: 127)
    }
}

/// `make plugin-helpers`: prints docs/plugins.md's generated field lists of the finding kinds
/// (from the wire forms), which the Makefile puts between their markers.
struct PluginWireDocCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wire-doc", abstract: "Internal: docs/plugins.md's finding kinds.",
                                                    shouldDisplay: false)

    func run() throws { print(PluginScaffold.findingKindsDoc) }
}
