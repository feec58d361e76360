import ArgumentParser
import EvidenceStore
import Foundation

struct FilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "List the file inventory, filtered.",
        discussion: """
        Examples:
          exhibit files --db case.sqlite --status encrypted
          exhibit files --db case.sqlite --mime image/ --path '*DCIM*' --json
          exhibit files --db case.sqlite --sha256 <hex>

        Exit codes: 0 listed (possibly nothing); 1 the database cannot be read.
        """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "Only this evidence item (its label, e.g. seized.zip).") var evidence: String?
    @Option(help: "Only this status: ok, encrypted, unsupported, truncated, corrupt, limit-exceeded, link.") var status: String?
    @Option(help: "Only MIME types starting with this (image/, application/zip).") var mime: String?
    @Option(help: "Only virtual paths matching this glob (SQLite GLOB: * ? [..]).") var path: String?
    @Option(help: "Only files with this SHA-256.") var sha256: String?
    @Option(help: "Only files with this MD5.") var md5: String?
    @Option(help: "Only files with this SHA-1.") var sha1: String?
    @Option(help: "At most this many rows.") var limit: Int?
    @Option(help: "Skip this many rows first.") var offset: Int = 0
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let rows: [FileRow]
        do {
            let db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true)
            var f = FileFilter(evidence: evidence)
            f.status = status; f.mimePrefix = mime; f.pathGlob = path
            f.sha256 = sha256?.lowercased(); f.md5 = md5?.lowercased(); f.sha1 = sha1?.lowercased()
            f.limit = limit; f.offset = offset
            rows = try db.listFiles(f)
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
        if json { try printJSON(rows); return }
        for r in rows {
            let hash = r.sha256 ?? "-"
            print("\(r.status.padding(toLength: 14, withPad: " ", startingAt: 0)) \(String(r.size).leftPad(12)) \(hash) \(r.mime ?? "-")  \(r.path)\(r.message.map { "  [\($0)]" } ?? "")")
        }
        if rows.isEmpty { FileHandle.standardError.write(Data("no files match\n".utf8)) }
    }
}

extension String {
    fileprivate func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
