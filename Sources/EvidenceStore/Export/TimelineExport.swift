import ExhibitKit
import Foundation
import GRDB

/// The timeline exports, read from the `timeline` view (built by the timeline case analyzer).
///
/// - `timesketch`: JSON Lines, one event per line, with Timesketch's three required fields
///   (`message`, `datetime` as ISO 8601 with `+00:00`, `timestamp_desc`), `timestamp` in µs,
///   and ours (`basis`, `raw`, `precision`, `kind`, `source`, `file_path`, `sha256`, `chat`,
///   `sender`, `note`, `evidence`, `message_id`, `file_id`, `event_id`, `device_path`). Events without a UTC instant (basis
///   `unknown`) cannot be placed on Timesketch's axis: they are left out and counted.
/// - `csv`: every event (those without UTC too, with an empty `utc`), RFC 4180 with CRLF; the
///   last column, `local`, is the time in the case's zone (empty without a zone or an instant).
enum TimelineColumns {
    /// Columns read from the view, in this order.
    static let select = """
        event_id, utc, utc_us, raw, basis, precision, kind, description, source, file_path, file_id, message_id, chat, sender, sha256,
        note, evidence, device_path
        """
    /// Our fields in the JSONL, by column index (after `message`, `datetime`, `timestamp_desc`, `timestamp`).
    static let jsonText: [(String, Int)] = [("basis", 4), ("raw", 3), ("precision", 5), ("kind", 6), ("source", 8),
                                            ("file_path", 9), ("sha256", 14), ("chat", 12), ("sender", 13),
                                            ("note", 15), ("evidence", 16), ("device_path", 17)]
    static let jsonInt: [(String, Int)] = [("message_id", 11), ("file_id", 10), ("event_id", 0)]
    /// CSV header, and the column index of each field.
    static let csv: [(String, Int)] = [("utc", 1), ("basis", 4), ("precision", 5), ("raw", 3), ("kind", 6), ("description", 7),
                                       ("source", 8), ("file_path", 9), ("sha256", 14), ("chat", 12), ("sender", 13),
                                       ("note", 15), ("evidence", 16), ("message_id", 11), ("file_id", 10), ("event_id", 0),
                                       ("device_path", 17)]

    /// The view column at `index` of ``select``.
    static func name(_ index: Int) -> String {
        select.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }[index]
    }

    /// Timesketch's `timestamp_desc` of each kind of the timeline vocabulary: what the time
    /// means, in words. Another kind (an external plugin's `artifact.*`) is described by itself.
    static let descriptions: [(kind: String, text: String)] = [
        ("message.sent", "Message Sent"), ("message.touched", "Message Changed After Sending"), ("chat.action", "Chat Action"),
        ("chat.system", "Chat System Message"), ("file.modified", "Content Modification Time"), ("file.accessed", "Last Access Time"),
        ("file.changed", "Metadata Modification Time"), ("file.created", "Creation Time"), ("photo.taken", "Photo Taken"),
        ("media.created", "Media Created"), ("media.modified", "Media Modified"), ("document.created", "Document Created"),
        ("document.modified", "Document Modified"), ("document.printed", "Document Printed"), ("gps.fix", "GPS Fix"),
        ("media.known", "Known Media Seen"), ("clock.discrepancy", "Clock Discrepancy"), ("metadata.time", "Metadata Time"),
    ]
}

extension EvidenceDatabase {
    func exportTimeline(_ format: ExportFormat, to path: String, options: ExportOptions) throws -> ExportSummary {
        guard try hasRelation("timeline") else {
            throw ExportError.invalidOption("\(self.path): this case has no timeline yet (the `timeline` view comes with the timeline builder); re-run `exhibit ingest` with this version")
        }
        let out = try ExportOutput(path: path, overwrite: options.overwrite)
        var summary = ExportSummary()
        let (win, args) = options.window("utc_us")
        let clock = try options.displayClock ?? CaseTimeText(zoneIdentifier: caseInfo()?.assumedZone)
        try queue.read { db in
            if format == .timesketch {
                let missing = try Int.fetchOne(db, sql: "SELECT count(*) FROM timeline WHERE utc_us IS NULL") ?? 0
                if missing > 0 { summary.omitted["no UTC instant (basis unknown): Timesketch needs a datetime", default: 0] = missing }
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT \(Self.timesketchObject) FROM timeline WHERE utc_us IS NOT NULL AND \(win) ORDER BY utc_us, event_id
                    """, arguments: args)
                while let r = try rows.next() {
                    try out.append { buf in
                        _ = try? r.withUnsafeData(atIndex: 0) { (data: Data?) -> Void in
                            data?.withUnsafeBytes { buf.append(contentsOf: $0) }
                        }
                        buf.append(0x0A)
                    }
                    summary.written += 1
                }
            } else {
                if options.byteOrderMark { try out.write(bytes: [0xEF, 0xBB, 0xBF]) }
                // The local time in SQL (LocalTimeSQL): one CASE over the zone's offset changes
                // in the events' range; two index lookups find the range.
                let range = try (Int64.fetchOne(db, sql: "SELECT min(utc_us) FROM events"), Int64.fetchOne(db, sql: "SELECT max(utc_us) FROM events"))
                let local = LocalTimeSQL.expression("utc_us", clock: clock, range: range.0.flatMap { lo in range.1.map { (lo, $0) } })
                try out.write((TimelineColumns.csv.map(\.0) + ["local"]).joined(separator: ",") + "\r\n")
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT \(TimelineColumns.select), \(local) FROM timeline WHERE \(win) ORDER BY utc_us IS NULL, utc_us, event_id
                    """, arguments: args)
                let localColumn = TimelineColumns.select.split(separator: ",").count
                while let r = try rows.next() {
                    try out.append { buf in
                        for (n, (_, i)) in TimelineColumns.csv.enumerated() {
                            if n > 0 { buf.append(0x2C) }
                            try? r.withUnsafeData(atIndex: i) { data in
                                guard let data else { return }
                                // Integer columns come back as their decimal text.
                                ExportEscape.csvBytes(data, into: &buf)
                            }
                        }
                        buf.append(0x2C)
                        try? r.withUnsafeData(atIndex: localColumn) { data in if let data { ExportEscape.csvBytes(data, into: &buf) } }
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

    /// One Timesketch JSONL line per row, built by SQLite's own JSON1 `json_object` (C, one
    /// pass, correct escaping of quotes, backslashes and control characters; keys in this
    /// order): the Swift side only copies one text column per row. Building the object in Swift
    /// cost one GRDB column access per field and halved the throughput.
    ///
    /// No local time here: Timesketch shows every event in the zone its user picks, and the
    /// `strftime` per row cost a sixth of the export's CPU (issue 6's 200,000 events/s target);
    /// the CSV carries it (`local`).
    static let timesketchObject: String = {
        func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
        let desc = "CASE kind " + TimelineColumns.descriptions.map { "WHEN \(quoted($0.kind)) THEN \(quoted($0.text))" }.joined(separator: " ")
            + " ELSE kind END"
        let fields = TimelineColumns.jsonText.map { "'\($0.0)', " + TimelineColumns.name($0.1) }
            + TimelineColumns.jsonInt.map { "'\($0.0)', " + TimelineColumns.name($0.1) }
        return "json_object('message', description, 'datetime', substr(utc, 1, length(utc) - 1) || '+00:00', "
            + "'timestamp_desc', \(desc), 'timestamp', utc_us, " + fields.joined(separator: ", ") + ", 'data_type', 'exhibit:event')"
    }()
}
