import ArgumentParser
import EvidenceStore
import ExhibitKit
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

        Exit codes: 0 listed (possibly nothing); 1 the database cannot be read; 2 bad usage.
        """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "Only this evidence item (its label, e.g. seized.zip).") var evidence: String?
    @Option(help: "Only this status.") var status: EntryStatus?
    @Option(help: "Only MIME types starting with this (image/, application/zip).") var mime: String?
    @Option(help: "Only virtual paths matching this glob (SQLite GLOB: * ? [..]).") var path: String?
    @Option(help: "Only files with this SHA-256.") var sha256: String?
    @Option(help: "Only files with this MD5.") var md5: String?
    @Option(help: "Only files with this SHA-1.") var sha1: String?
    @Option(name: .customLong("device-path"), help: "Only files whose device path (inside a phone extraction) matches this glob (SQLite GLOB: * ? [..]).") var devicePath: String?
    @Option(help: "At most this many rows.") var limit: Int?
    @Option(help: "Skip this many rows first.") var offset: Int = 0
    @OptionGroup var zone: ZoneOption
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let rows: [FileRow]
        let clock: CaseTimeText
        do {
            let db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true)
            clock = zone.clock(db)
            var f = FileFilter(evidenceLabel: evidence)
            f.status = status; f.mimePrefix = mime; f.pathGlob = path
            f.sha256 = sha256?.lowercased(); f.md5 = md5?.lowercased(); f.sha1 = sha1?.lowercased()
            f.devicePathGlob = devicePath
            f.limit = limit; f.offset = offset
            rows = try db.listFiles(f)
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
        // Times (modified, accessed, changed, created) carry utc and, in the case's zone, local.
        if json { try printJSON(rows.map(FileJSON.init), clock: clock); return }
        for r in rows {
            let hash = r.hashes?.sha256 ?? "-"
            print(TerminalText.safe("\(r.status.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(String(r.size).leftPad(12)) \(hash) \(r.mime ?? "-")  \(TerminalText.field(r.virtualPath))\(r.devicePath.map { "  (device: \($0))" } ?? "")\(r.message.map { "  [\($0)]" } ?? "")"))
        }
        if rows.isEmpty { FileHandle.standardError.write(Data("no files match\n".utf8)) }
    }
}

/// The `--json` form of one inventory row.
struct FileJSON: Encodable {
    struct Time: Encodable {
        var utc: String?
        var raw: String
        var basis: String
        var precision: String
        var note: String?
        init(_ t: TimeValue) { utc = t.utcString; raw = t.raw; basis = t.basis.rawValue; precision = t.precision.rawValue; note = t.note }
    }
    var evidence, entry_key, path, name, name_encoding, kind, status: String
    var parent_key, message, mime, md5, sha1, sha256, link_target, container_format, device_path: String?
    var size: Int64
    var declared_size: Int64?
    var flags, container_flags: [String]
    var is_container: Bool
    var modified, accessed, changed, created: Time?

    init(_ r: FileRow) {
        evidence = r.evidenceLabel; entry_key = r.key.text; path = r.virtualPath; name = r.name; name_encoding = r.nameEncoding
        kind = r.kind.rawValue; status = r.status.rawValue; parent_key = r.parentKey?.text; message = r.message; mime = r.mime
        md5 = r.hashes?.md5; sha1 = r.hashes?.sha1; sha256 = r.hashes?.sha256; link_target = r.linkTarget
        container_format = r.containerFormat; size = r.size; declared_size = r.declaredSize; flags = r.flags
        container_flags = r.containerFlags; is_container = r.isContainer; device_path = r.devicePath
        modified = r.times.modified.map(Time.init); accessed = r.times.accessed.map(Time.init)
        changed = r.times.changed.map(Time.init); created = r.times.created.map(Time.init)
    }
}

// Parsed once, by ArgumentParser, from the status's stored text: an unknown value is a usage
// error (exit 2) that lists the accepted ones.
extension EntryStatus: ExpressibleByArgument {}

extension String {
    fileprivate func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
