import ArgumentParser
import EvidenceStore
import Foundation

struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print one SHA-256 over all findings in canonical order.",
        discussion: """
        Covers evidence items, the file inventory, times, every analyzer's findings and errors — not
        row ids, run times or the audit log. Equal evidence gives an equal digest, whatever the
        --jobs value, the machine's TZ, or an interrupted and resumed ingest. The digest is the
        last line of output.

        With --device: a digest of what the phones in the case hold, keyed by device path — the same
        extraction packaged as a tar with any vendor prefix, a zip or a plain folder gives the same
        device digest (docs/schema.md, "Device digest").

        Exit codes: 0 printed, 1 the database cannot be read.
        """)

    @OptionGroup var database: DatabaseOption
    @Flag(help: "Digest what the phones hold, by device path, whatever the packaging (docs/schema.md).") var device = false

    func run() throws {
        do {
            let db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true)
            print(try device ? db.deviceDigest() : db.digest())
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
    }
}
