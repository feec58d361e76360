import ExhibitKit
import Foundation
import GRDB

/// The columns of the `timeline` view (built by the timeline case analyzer) the timeline exports
/// read, and Timesketch's words for each kind.
enum TimelineColumns {
    /// Columns read from the view: every ``TimelineField`` in its order, `local` (computed) last.
    static let select = TimelineField.allCases.filter { $0 != .local }.map(\.rawValue).joined(separator: ", ")
    /// Our fields in the JSONL, each under its column name (after `message`, `datetime`,
    /// `timestamp_desc`, `timestamp`), texts then integers.
    static let jsonText: [TimelineField] = [.basis, .raw, .precision, .kind, .source, .filePath, .sha256, .chat, .sender,
                                            .note, .evidence, .devicePath]
    static let jsonInt: [TimelineField] = [.messageID, .fileID, .eventID]

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
        let desc = "CASE kind " + descriptions.map { "WHEN \(quoted($0.kind)) THEN \(quoted($0.text))" }.joined(separator: " ")
            + " ELSE kind END"
        let fields = (jsonText + jsonInt).map { "'\($0.rawValue)', \($0.rawValue)" }
        return "json_object('message', description, 'datetime', substr(utc, 1, length(utc) - 1) || '+00:00', "
            + "'timestamp_desc', \(desc), 'timestamp', utc_us, " + fields.joined(separator: ", ") + ", 'data_type', 'exhibit:event')"
    }()
}

/// A column of the `timeline` view as the timeline exports read it; the raw value is the
/// column's name (the CSV header uses it). `local` is the time in the display zone, computed
/// in SQL (``LocalTimeSQL``).
public enum TimelineField: String, CaseIterable, Sendable {
    /// The view's columns, in the order the query selects them.
    case eventID = "event_id", utc, utcMicros = "utc_us", raw, basis, precision, kind, description, source, filePath = "file_path"
    case fileID = "file_id", messageID = "message_id", chat, sender, sha256, note, evidence, devicePath = "device_path", local

    /// The column's position in ``TimelineColumns/select`` (`local` follows the view's columns),
    /// which lists the cases in this order (a test pins the two together). The export reads its
    /// rows by position, in place: see ``TimelineExportRow``.
    var index: Int {
        switch self {
        case .eventID: return 0
        case .utc: return 1
        case .utcMicros: return 2
        case .raw: return 3
        case .basis: return 4
        case .precision: return 5
        case .kind: return 6
        case .description: return 7
        case .source: return 8
        case .filePath: return 9
        case .fileID: return 10
        case .messageID: return 11
        case .chat: return 12
        case .sender: return 13
        case .sha256: return 14
        case .note: return 15
        case .evidence: return 16
        case .devicePath: return 17
        case .local: return 18
        }
    }
}

/// One row of a timeline cursor; valid until the cursor's next step (the row's bytes are read
/// in place, not copied: exports of a million events spend their time here).
public struct TimelineExportRow {
    let row: Row

    /// Calls `body` with the UTF-8 bytes of `field` (integers as decimal text); not at all when
    /// the value is NULL.
    public func withBytes(_ field: TimelineField, _ body: (Data) -> Void) {
        // By position, not name: the hot export loop (a name lookup per field per event).
        try? row.withUnsafeData(atIndex: field.index) { data in if let data { body(data) } }
    }
}

/// One Timesketch JSON object, built by SQLite; valid until the cursor's next step.
public struct TimesketchLine {
    let row: Row

    /// Appends the object's UTF-8 bytes (no newline).
    public func append(to buffer: inout [UInt8]) {
        // The query's only column (`json_object(…)`), read in place: the hot export loop.
        _ = try? row.withUnsafeData(atIndex: 0) { (data: Data?) -> Void in
            data?.withUnsafeBytes { buffer.append(contentsOf: $0) }
        }
    }
}

extension CaseOutputReader {
    /// Events of the `timeline` view without a UTC instant (basis `unknown`), in the whole case.
    public func timelineEventsWithoutInstant() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM timeline WHERE utc_us IS NULL") ?? 0
    }

    /// The events with a UTC instant inside `window` as Timesketch JSON objects (`message`,
    /// `datetime`, `timestamp_desc`, `timestamp`, then Exhibit's fields: docs/exports.md),
    /// ordered by instant and event id.
    public func timesketchLines(window: InstantWindow) throws -> QueryCursor<TimesketchLine> {
        let (win, args) = window.sql("utc_us")
        return QueryCursor(try Row.fetchCursor(db, sql: """
            SELECT \(TimelineColumns.timesketchObject) FROM timeline WHERE utc_us IS NOT NULL AND \(win) ORDER BY utc_us, event_id
            """, arguments: args), TimesketchLine.init)
    }

    /// Every event inside `window` (those without an instant last), each with every
    /// ``TimelineField``; `local` is the wall clock in `clock`'s zone (NULL without a zone).
    public func timelineRows(window: InstantWindow, clock: CaseTimeText) throws -> QueryCursor<TimelineExportRow> {
        let (win, args) = window.sql("utc_us")
        // The local time in SQL (LocalTimeSQL): one CASE over the zone's offset changes in the
        // events' range; two index lookups find the range.
        let range = try (Int64.fetchOne(db, sql: "SELECT min(utc_us) FROM events"), Int64.fetchOne(db, sql: "SELECT max(utc_us) FROM events"))
        let local = LocalTimeSQL.expression("utc_us", clock: clock, range: range.0.flatMap { lo in range.1.map { (lo, $0) } })
        return QueryCursor(try Row.fetchCursor(db, sql: """
            SELECT \(TimelineColumns.select), \(local) AS local FROM timeline WHERE \(win) ORDER BY utc_us IS NULL, utc_us, event_id
            """, arguments: args), TimelineExportRow.init)
    }
}
