import ArgumentParser
import EvidenceStore
import ExhibitKit
import Foundation

struct MetadataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata",
        abstract: "Print one file's metadata (EXIF, GPS, XMP, QuickTime, documents) and indicators.",
        discussion: """
        PATH is a virtual path as `exhibit files` prints it (seized.zip!/DCIM/a.jpg), or a
        SHA-256 (every file with those bytes is shown). Values are grouped by namespace and
        printed as `exiftool -n` prints them; GPSLatitude/GPSLongitude are signed decimal degrees.
        Dates show their instant in the case's zone with UTC beside it (--tz for another zone) and
        the basis (offset, assumed-zone, unknown) when it is not utc, next to the raw value. Indicators (AI generation, camera vs GPS clock) follow.

        Examples:
          exhibit metadata --db case.sqlite \\
              'phone-dump.zip!/sdcard/DCIM/Camera/IMG_1.jpg'
          exhibit metadata --db case.sqlite 3f2a…e9 --json

        Exit codes: 0 printed; 1 the database cannot be read; 5 no such file.
        """)

    @OptionGroup var database: DatabaseOption
    @Argument(help: "Virtual path (as `exhibit files` prints it) or SHA-256 of the file.") var path: String
    @OptionGroup var zone: ZoneOption
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let files: [FileMetadata]
        let clock: CaseTimeText
        do {
            let db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true)
            clock = zone.clock(db)
            files = try db.fileMetadata(path)
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
        guard !files.isEmpty else {
            FileHandle.standardError.write(Data("exhibit: no file \(path)\n".utf8))
            throw ExitCode(5)
        }
        if json { try printJSON(files.map(FileMetadataJSON.init), clock: clock); return }
        for (n, f) in files.enumerated() {
            if n > 0 { print("") }
            print(TerminalText.safe("== \(TerminalText.field(f.path))  sha256 \(f.sha256 ?? "-")"))
            if f.entries.isEmpty { print("(no metadata)") }
            var namespace: String?
            for e in f.entries {
                if e.namespace != namespace {
                    namespace = e.namespace
                    print("[\(e.namespace)]")
                }
                var line = "  \(e.tag) = \(TerminalText.field(Self.oneLine(e.value)))"
                if let t = e.time { line += "  -> \(Self.timeText(t, clock: clock))" }
                if let enc = e.encoding { line += "  (\(enc))" }
                print(TerminalText.safe(line))
            }
            if !f.indicators.isEmpty { print("[indicators]") }
            for i in f.indicators {
                print(TerminalText.safe("  \(i.kind): \(TerminalText.field(i.summary))  [\(TerminalText.field(i.evidenceTag))]"))
                for (name, t) in i.times { print("    \(name): \(Self.timeText(t, clock: clock))") }
            }
        }
    }

    /// `2024-08-28 15:12:03 +09:00 (06:12:03Z, offset)`, or the raw value with its basis when no
    /// instant is known; the source's note follows.
    static func timeText(_ t: TimeValue, clock: CaseTimeText) -> String {
        let shown = t.utcMicros == nil ? "raw \(t.raw) (\(t.basis.rawValue))" : clock.human(micros: t.utcMicros, basis: t.basis.rawValue)
        return shown + (t.note.map { "  [\($0)]" } ?? "")
    }

    /// Long or multi-line values (XMP history, prompts) on one line, capped for the terminal.
    static func oneLine(_ s: String) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: "\\n")
        return flat.count > 200 ? String(flat.prefix(200)) + "… (\(flat.count) characters)" : flat
    }
}

/// The `--json` form of one file's metadata.
struct FileMetadataJSON: Encodable {
    struct Time: Encodable {
        var raw, basis: String
        var utc, note: String?
        init(_ t: TimeValue) {
            raw = t.raw; basis = t.basis.rawValue; utc = t.utcMicros.map(UTCFormat.string(micros:)); note = t.note
        }
    }
    struct Entry: Encodable {
        var namespace, tag, value: String
        var encoding, location: String?
        var time: Time?
    }
    struct IndicatorJSON: Encodable {
        var kind, summary, evidence_tag: String
        var location: String?
        var details: String
        var times: [String: Time]
    }
    var evidence, path: String
    var sha256: String?
    var metadata: [Entry]
    var indicators: [IndicatorJSON]
    init(_ f: FileMetadata) {
        evidence = f.evidence; path = f.path; sha256 = f.sha256
        metadata = f.entries.map {
            Entry(namespace: $0.namespace, tag: $0.tag, value: $0.value, encoding: $0.encoding, location: $0.location,
                  time: $0.time.map(Time.init))
        }
        indicators = f.indicators.map { i in
            IndicatorJSON(kind: i.kind, summary: i.summary, evidence_tag: i.evidenceTag, location: i.location,
                          details: i.details,
                          times: Dictionary(i.times.map { ($0.name, Time($0.time)) }, uniquingKeysWith: { a, _ in a }))
        }
    }
}
