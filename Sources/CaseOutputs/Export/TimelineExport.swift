import EvidenceStore
import ExhibitKit
import Foundation

/// The timeline exports, read from the `timeline` view (built by the timeline case analyzer).
///
/// - `timesketch`: JSON Lines, one event per line, with Timesketch's three required fields
///   (`message`, `datetime` as ISO 8601 with `+00:00`, `timestamp_desc`), `timestamp` in µs,
///   and ours (`basis`, `raw`, `precision`, `kind`, `source`, `file_path`, `sha256`, `chat`,
///   `sender`, `note`, `evidence`, `message_id`, `file_id`, `event_id`, `device_path`). Events without a UTC instant (basis
///   `unknown`) cannot be placed on Timesketch's axis: they are left out and counted.
/// - `csv`: every event (those without UTC too, with an empty `utc`), RFC 4180 with CRLF; the
///   last column, `local`, is the time in the case's zone (empty without a zone or an instant).
enum TimelineCSV {
    /// The CSV's columns, in order (the header is their names); `local` is last.
    static let columns: [TimelineField] = [.utc, .basis, .precision, .raw, .kind, .description, .source, .filePath, .sha256, .chat,
                                           .sender, .note, .evidence, .messageID, .fileID, .eventID, .devicePath, .local]
}

extension EvidenceDatabase {
    func exportTimeline(_ format: ExportFormat, to path: String, options: ExportOptions) throws -> ExportSummary {
        guard try hasRelation("timeline") else {
            throw ExportError.invalidOption("\(self.path): this case has no timeline yet (the `timeline` view comes with the timeline builder); re-run `exhibit ingest` with this version")
        }
        let out = try ExportOutput(path: path, overwrite: options.overwrite)
        var summary = ExportSummary()
        let clock = try options.displayClock ?? CaseTimeText(zoneIdentifier: caseInfo()?.assumedZone)
        try readCase { q in
            if format == .timesketch {
                let missing = try q.timelineEventsWithoutInstant()
                if missing > 0 { summary.omitted["no UTC instant (basis unknown): Timesketch needs a datetime", default: 0] = missing }
                let rows = try q.timesketchLines(window: options.window)
                while let line = try rows.next() {
                    try out.append { buf in
                        line.append(to: &buf)
                        buf.append(0x0A)
                    }
                    summary.written += 1
                }
            } else {
                if options.byteOrderMark { try out.write(bytes: [0xEF, 0xBB, 0xBF]) }
                try out.write(TimelineCSV.columns.map(\.rawValue).joined(separator: ",") + "\r\n")
                let rows = try q.timelineRows(window: options.window, clock: clock)
                while let r = try rows.next() {
                    try out.append { buf in
                        for (n, field) in TimelineCSV.columns.enumerated() {
                            if n > 0 { buf.append(0x2C) }
                            // Integer columns come back as their decimal text.
                            r.withBytes(field) { ExportEscape.csvBytes($0, into: &buf) }
                        }
                        buf.append(0x0D); buf.append(0x0A)
                    }
                    summary.written += 1
                }
            }
        }
        try out.finish()
        summary.outputs = [path]
        return summary
    }
}
