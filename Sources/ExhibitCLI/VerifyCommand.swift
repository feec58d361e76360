import ArgumentParser
import Engine
import ExhibitSupport
import Foundation

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the case against its hash-chained audit log: chain, findings and evidence.",
        discussion: """
        Prints one line per check (ok / FAIL / note), then a verdict. Checked:
        - the audit chain (every entry's hash and link); with --head HEX, that
          it ends at the head printed by the last command you ran (an entry
          added after it, or a cut tail, fails);
        - with --public-key, each chain-head signature against that key (a key
          stored in the case is never trusted);
        - the findings: their digest, recomputed, against the last one the log
          recorded (every ingest, case set-tz, case rebuild, match and hash-set
          import records one), naming the parts that differ (files,
          chats/messages, metadata, media hashes, matches, timeline...);
        - each evidence item's recorded hashes against the log's records, and
          the item itself re-hashed (not with --findings-only).

        Examples:
          exhibit verify --db case.sqlite --head "$HEAD" --public-key lab.pub
          exhibit verify --db case.sqlite --findings-only
          exhibit verify --db case.sqlite --evidence-dir /mnt/copy
          exhibit verify --db case.sqlite --evidence ITEM-7=/mnt/copy/seized.zip

        Exit codes: 0 verified; 1 the database cannot be read; 2 bad usage;
        3 an evidence item is missing or changed (or its recorded hash was
        edited); 5 the audit chain, the head given with --head, or a signature
        does not verify; 6 the findings differ from the last recorded digest;
        7 incomplete: an ingest (or another command) was interrupted - re-run
        the same command to finish. When several apply: first of 5, 3, 6, 7.
        """)

    @OptionGroup var database: DatabaseOption
    @Flag(help: "Check only the database (chain, findings, recorded hashes); do not read the evidence.")
    var findingsOnly = false
    @Option(help: ArgumentHelp("A folder holding the evidence items, moved or copied: each is looked up there by its file or folder name.", valueName: "dir"))
    var evidenceDir: String?
    @Option(help: ArgumentHelp("Where one relocated item is now: LABEL=PATH or ITEM=PATH (repeatable).", valueName: "item=path"))
    var evidence: [String] = []
    @Option(help: ArgumentHelp("The audit chain head your last command printed (64 hex): the log must end there.", valueName: "hex"))
    var head: String?
    @Option(name: .customLong("public-key"), help: ArgumentHelp("Ed25519 public key the chain-head signatures must verify with: 64 hex, or a file holding them (repeatable; 'exhibit key public FILE' prints it).", valueName: "hex|file"))
    var publicKeys: [String] = []
    @Option(help: "Folder for the private scratch directory.")
    var tempDir: String = TemporaryDirectory.defaultRoot

    func run() throws {
        let report: CaseVerifier.Report
        do {
            report = try CaseVerifier.verify(databasePath: database.db, options: try options())
        } catch let e as CommandFailure {
            fail(e.message, code: e.code)
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
        // Lines name evidence labels and paths, which the suspect chose: no control sequences.
        for line in report.lines { print(TerminalText.safe(line)) }
        if report.exitCode != 0 { fail(TerminalText.safe(report.verdict), code: report.exitCode) }
        print(report.verdict)
    }

    func options() throws -> VerifyOptions {
        var o = VerifyOptions()
        o.findingsOnly = findingsOnly
        o.evidenceDirectory = evidenceDir
        o.temporaryRoot = tempDir
        for v in evidence {
            guard let eq = v.firstIndex(of: "="), eq != v.startIndex else {
                throw CommandFailure(message: "--evidence '\(v)': write LABEL=PATH (or ITEM=PATH)", code: 2)
            }
            o.evidencePaths[String(v[..<eq])] = String(v[v.index(after: eq)...])
        }
        func isHex64(_ v: String) -> Bool { Hex.isHex(v, lengths: [64]) }
        if let head, !isHex64(head) { throw CommandFailure(message: "--head takes the 64 hex digits of a chain head", code: 2) }
        o.anchorHead = head?.lowercased()
        o.publicKeys = try publicKeys.map { value in
            if isHex64(value) { return value.lowercased() }
            // A lab's public key file: the 64 hex digits, whitespace ignored.
            let text = (try? String(contentsOfFile: value, encoding: .utf8))?.filter { !$0.isWhitespace }
            guard let text, isHex64(text) else {
                throw CommandFailure(message: "--public-key takes 64 hex digits or a file holding them", code: 2)
            }
            return text.lowercased()
        }
        return o
    }
}
