import ArgumentParser
import Foundation
import LabIndex

struct LabAccessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access",
        abstract: "Per-case access: grant or revoke a case to a PostgreSQL role, or list the grants.",
        discussion: """
        Members of a role granted a case see that case's rows, and no other case's, in every lab
        query (row-level security on every case table). The role must exist (the database
        administrator creates roles and logins). Run as the lab's owner (who ran lab init).
          exhibit lab access --grant examiners_team_a --case 2024-0001
          exhibit lab access --revoke examiners_team_a --case 2024-0001
          exhibit lab access                       (list every grant)
        Exit codes: 0 done; 1 the lab index refused (no such role, not the owner); 2 bad option; 4 nothing to revoke.
        """)
    @OptionGroup var lab: LabOptions
    @Option(help: "Role to give the case to.") var grant: String?
    @Option(help: "Role to take the case from.") var revoke: String?
    @Option(name: .customLong("case"), help: "Case name.") var caseName: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        switch (grant, revoke, caseName) {
        case (let role?, nil, let c?):
            lab.run { try await $0.grantCase(c, to: role) }
            print(TerminalText.safe("case \(c): readable by members of \(role)"))
        case (nil, let role?, let c?):
            let removed = lab.run { try await $0.revokeCase(c, from: role) }
            guard removed else { fail("case \(c) was not granted to \(role)", code: 4) }
            print(TerminalText.safe("case \(c): no longer readable by members of \(role)"))
        case (nil, nil, nil):
            let grants = lab.run { try await $0.caseGrants() }
            if json { try printJSON(grants); return }
            for g in grants { print(TerminalText.safe("\(g.caseName)\t\(g.role)")) }
            if grants.isEmpty { print("(no case is granted to any role: only the lab's owner reads the lab index)") }
        default:
            fail("give --grant ROLE --case C, --revoke ROLE --case C, or nothing to list", code: 2)
        }
    }
}

struct LabHashSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hashset",
        abstract: "Lab-wide hash sets: imported once into the lab, applied by every worker to every case it ingests.",
        discussion: """
        `import` takes the same lists and options as `exhibit hashset import`; the list must stay
        at its path on shared storage, unchanged (workers import it into each case database
        before ingesting, and refuse a list whose SHA-256 changed). `list` shows the sets.
        """,
        subcommands: [LabHashSetImportCommand.self, LabHashSetListCommand.self])
}

struct LabHashSetImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a hash-set list into the lab index (same formats and options as exhibit hashset import).",
        discussion: "Exit codes: 0 imported (or already imported); 1 the list has nothing valid, or the name holds other content; 2 bad option.")
    @OptionGroup var lab: LabOptions
    @Option(help: "A unique name for the set (its name in every case database too).") var name: String
    @Option(help: "known-bad or known-good.") var kind: String
    @Option(help: "md5, sha1, sha256 or pdq (needed for 64-hex plain lists).") var algorithm: String?
    @Option(help: "VICS categories that count, comma-separated.") var categories: String?
    @Option(help: "Force a format (as exhibit hashset import).") var format: String?
    @Argument(help: "The list, on storage every worker can read.") var file: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard kind == "known-bad" || kind == "known-good" else { fail("--kind must be known-bad or known-good", code: 2) }
        guard FileManager.default.isReadableFile(atPath: file) else { fail("\(file): no readable hash-set file there", code: 2) }
        guard let exe = Bundle.main.executablePath else { fail("cannot find the exhibit executable to import with", code: 1) }
        var args: [String] = []
        for (flag, value) in [("--algorithm", algorithm), ("--categories", categories), ("--format", format)] {
            if let value { args += [flag, value] }
        }
        let (n, k, a, f) = (name, kind, args, file)
        let s = lab.run { try await $0.importHashSet(exhibit: exe, path: f, name: n, kind: k, arguments: a) }
        if json { try printJSON(s); return }
        print(TerminalText.safe("\(s.fresh ? "imported" : "already imported") \(s.name) (\(s.kind), \(s.format)): \(s.entries) entries"
                                + (s.rejected > 0 ? ", \(s.rejected) malformed line(s) left out" : "") + " — from \(s.sourcePath)"))
    }
}

struct LabHashSetListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The lab-wide hash sets.")
    @OptionGroup var lab: LabOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let sets = lab.run { try await $0.hashSets() }
        if json { try printJSON(sets); return }
        for s in sets {
            print(TerminalText.safe("\(s.name)\t\(s.kind)\t\(s.format)\t\(s.entries) entries\t\(s.sourcePath)\tsha256 \(s.sourceSHA256)"))
        }
        if sets.isEmpty { print("(no lab-wide hash set)") }
    }
}
