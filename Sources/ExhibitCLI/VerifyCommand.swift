import ArgumentParser
import Engine
import Foundation

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash the evidence at its recorded paths and re-check the audit chain.",
        discussion: """
        Prints one line per check. Exit codes: 0 every evidence item still hashes to its recorded
        value and the audit chain (and any chain-head signature) holds; 3 an evidence item is
        missing or changed; 5 the audit chain or a signature does not verify (reported over 3 when
        both fail: a rewritten log undermines everything else); 1 the database cannot be read.
        """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "Folder for the private scratch directory.")
    var tempDir: String = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"

    func run() throws {
        let report: CaseVerifier.Report
        do { report = try CaseVerifier.verify(databasePath: database.db, temporaryRoot: tempDir) } catch {
            fail("\(database.db): \(error)", code: 1)
        }
        for line in report.lines { print(line) }
        if !report.chainOK { fail("verification FAILED: the audit chain does not hold", code: 5) }
        if !report.evidenceOK { fail("verification FAILED: evidence missing or changed", code: 3) }
        print("verified")
    }
}
