import EvidenceStore
import ExhibitKit
import Foundation

/// The formats `exhibit export` writes. docs/exports.md describes each.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// Timesketch JSONL: one event per line (`message`, `datetime`, `timestamp_desc` + ours).
    case timesketch
    /// The timeline as RFC 4180 CSV (UTF-8, optional BOM for Excel).
    case csv
    /// The file inventory as a Sleuth Kit 3.x bodyfile, for `mactime`.
    case bodyfile
    /// CASE/UCO JSON-LD: files, messages, accounts, the investigative actions, provenance.
    case caseUCO = "case"
    /// DFXML file inventory with hash digests.
    case dfxml
    /// Printable HTML transcripts, one file per chat, in a directory.
    case transcript
}

/// What to export and how.
public struct ExportOptions: Sendable {
    /// Only rows at or after this instant (µs since the epoch, UTC). What "row" means per format
    /// is in docs/exports.md (events; messages; files with a time in the window).
    public var fromMicros: Int64?
    /// Only rows before this instant.
    public var beforeMicros: Int64?
    /// Start CSV output with a UTF-8 byte-order mark (Excel reads UTF-8 only then).
    public var byteOrderMark: Bool
    /// Replace an existing output.
    public var overwrite: Bool
    /// Version of the tool writing the export (recorded in the output).
    public var toolVersion: String
    /// When the export was made, µs since the epoch (recorded in the output).
    public var generatedMicros: Int64
    /// The zone the transcripts show times in (`exhibit export --tz`); `nil` uses the case's
    /// declared zone. Machine formats (CSV, JSON lines, bodyfile, DFXML, CASE) stay UTC.
    public var displayClock: CaseTimeText?

    /// Options; everything but the version optional.
    public init(fromMicros: Int64? = nil, beforeMicros: Int64? = nil, byteOrderMark: Bool = false, overwrite: Bool = false,
                toolVersion: String, generatedMicros: Int64 = Int64(Date().timeIntervalSince1970 * 1_000_000)) {
        self.fromMicros = fromMicros; self.beforeMicros = beforeMicros; self.byteOrderMark = byteOrderMark
        self.overwrite = overwrite; self.toolVersion = toolVersion; self.generatedMicros = generatedMicros
    }

    /// The window as the store's queries take it.
    var window: InstantWindow { InstantWindow(fromMicros: fromMicros, beforeMicros: beforeMicros) }

    /// Whether a window was given at all.
    var hasWindow: Bool { fromMicros != nil || beforeMicros != nil }
}

/// What an export wrote.
public struct ExportSummary: Sendable, Hashable {
    /// Records written (events, files, messages — per format).
    public var written: Int = 0
    /// Records left out and why (`no UTC time` → 12).
    public var omitted: [String: Int] = [:]
    /// Records written with a remark (`no time: mactime will not list it` → 3).
    public var notes: [String: Int] = [:]
    /// Files written (one for most formats, one per chat plus an index for transcripts).
    public var outputs: [String] = []
}

extension EvidenceDatabase {
    /// Writes the case in `format` to `path` (a file; for `transcript` a new or empty directory).
    /// Reads with one cursor and writes through a buffer: memory stays flat whatever the case size.
    public func export(_ format: ExportFormat, to path: String, options: ExportOptions) throws -> ExportSummary {
        switch format {
        case .bodyfile: return try exportBodyfile(to: path, options: options)
        case .dfxml: return try exportDFXML(to: path, options: options)
        case .caseUCO: return try exportCASE(to: path, options: options)
        case .transcript: return try exportTranscripts(to: path, options: options)
        case .timesketch, .csv: return try exportTimeline(format, to: path, options: options)
        }
    }
}
