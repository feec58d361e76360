import ExhibitKit
import Foundation
import GRDB

/// Counts the report's summary prints.
public struct CaseCountsRow: Sendable, Hashable {
    /// Files and entries, chats, messages, timeline events, problems (analyzer problems plus
    /// files not read in full).
    public var files: Int64?, chats: Int64?, messages: Int64?, events: Int64?, problems: Int64?
}

/// An imported hash set.
public struct HashSetSummaryRow: Sendable, Hashable {
    /// Name, kind (`known-bad`, `known-good`), entries.
    public var name: String?, kind: String?, entryCount: Int64?
}

/// A file that matched a hash set (`known_media`).
public struct KnownMediaMatchRow: Sendable, Hashable {
    /// `files.id`, path, SHA-256.
    public var fileID: Int64?, path: String?, sha256: String?
    /// The set, its kind, the category, the algorithm that matched and the PDQ distance.
    public var hashset: String?, kind: String?, category: String?, algorithm: String?, distance: Int64?
}

/// A message that carried a given content as an attachment.
public struct ContentCarrierRow: Sendable, Hashable {
    /// Sent time (UTC text), basis and raw value.
    public var sentUTC: String?, sentBasis: String?, sentRaw: String?
    /// Platform, chat title, sender, export file path.
    public var platform: String?, chat: String?, sender: String?, exportPath: String?
    /// The room (chat row) and message ids.
    public var roomID: Int64?, messageID: Int64?
}

/// A copy of a given content in the inventory, with its modification time.
public struct ContentCopyRow: Sendable, Hashable {
    /// Path, modification time (UTC text) and its basis.
    public var path: String?, modifiedUTC: String?, modifiedBasis: String?
}

/// Which events of the `timeline` view the report lists.
public struct ReportTimelineSelection: Sendable, Hashable {
    /// The window of instants.
    public var window: InstantWindow
    /// With `--tagged`, only the events of the tagged items; `nil` for all events.
    public var tagged: TaggedTimelineItems?

    /// A selection of the events in `window`, of the tagged items only when `tagged` is given.
    public init(window: InstantWindow, tagged: TaggedTimelineItems? = nil) { self.window = window; self.tagged = tagged }

    /// 1990-01-01T00:00:00Z: earlier times in a phone case are unset clocks or zero values.
    public static let plausibleMicros: Int64 = 631_152_000_000_000

    /// `WHERE …` of the case's events (`archive == false`) or of the dates inside the archives
    /// and times before 1990 (`archive == true`).
    func whereClause(archive: Bool) -> (String, StatementArguments) {
        var clauses: [String] = []
        var args = StatementArguments()
        if let f = window.fromMicros { clauses.append("utc_us >= ?"); args += [f] }
        if let b = window.beforeMicros { clauses.append("utc_us < ?"); args += [b] }
        if let t = tagged {
            let list = { (n: Int) in n == 0 ? "NULL" : Array(repeating: "?", count: n).joined(separator: ",") }
            clauses.append("(event_id IN (\(list(t.events.count))) OR message_id IN (\(list(t.messages.count))) OR file_id IN (\(list(t.files.count))) OR sha256 IN (\(list(t.sha256.count))))")
            args += StatementArguments(t.events + t.messages + t.files)
            args += StatementArguments(t.sha256)
        }
        let archived = "(source = 'intake' OR utc_us < \(Self.plausibleMicros))"
        let base = clauses.isEmpty ? "" : clauses.joined(separator: " AND ") + " AND "
        return (archive ? "WHERE \(base)\(archived)" : "WHERE \(base)NOT \(archived)", args)
    }
}

/// The reviewer's tagged items whose events the report's timeline keeps (`--tagged`): these
/// events, the events of these messages and files, and of the files with these SHA-256 (the
/// members of tagged picture groups).
public struct TaggedTimelineItems: Sendable, Hashable {
    /// Event, message and file ids, and content SHA-256 values.
    public var events: [Int64], messages: [Int64], files: [Int64], sha256: [String]

    /// The lists, each in the order its ids are bound.
    public init(events: [Int64], messages: [Int64], files: [Int64], sha256: [String]) {
        self.events = events; self.messages = messages; self.files = files; self.sha256 = sha256
    }
}

/// A row of the report's timeline tables.
public struct ReportTimelineRow: Sendable, Hashable {
    /// Instant (UTC text and µs), basis, raw value.
    public var utc: String?, utcMicros: Int64?, basis: String?, raw: String?
    /// Kind, description, source analyzer, file path.
    public var kind: String?, description: String?, source: String?, filePath: String?
    /// `events.id`.
    public var eventID: Int64?
}

/// A file as the report's tagged-items table lists it.
public struct TaggedFileRow: Sendable, Hashable {
    /// `files.id`, path, SHA-256, MIME, size.
    public var id: Int64?, path: String?, sha256: String?, mime: String?, size: Int64?
}

extension CaseOutputReader {
    /// Files, chats, messages, events and problems of the case.
    public func caseCounts() throws -> CaseCountsRow {
        let c = try Row.fetchOne(db, sql: """
            SELECT (SELECT count(*) FROM files) AS files, (SELECT count(*) FROM chats) AS chats,
                   (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM events) AS events,
                   (SELECT count(*) FROM analysis_errors) + (SELECT count(*) FROM files WHERE status NOT IN ('ok','link')) AS problems
            """)
        return CaseCountsRow(files: try c?.decode(forColumn: "files"), chats: try c?.decode(forColumn: "chats"),
                             messages: try c?.decode(forColumn: "messages"), events: try c?.decode(forColumn: "events"),
                             problems: try c?.decode(forColumn: "problems"))
    }

    /// Imported known-bad hash sets (the `hashsets` table must exist).
    public func knownBadSetCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM hashsets WHERE kind = 'known-bad'") ?? 0
    }

    /// Every imported hash set by name (the `hashsets` table must exist).
    public func hashSetList() throws -> [HashSetSummaryRow] {
        try Row.fetchAll(db, sql: "SELECT name, kind, entry_count FROM hashsets ORDER BY name")
            .map { HashSetSummaryRow(name: try $0.decode(forColumn: "name"), kind: try $0.decode(forColumn: "kind"),
                                     entryCount: try $0.decode(forColumn: "entry_count")) }
    }

    /// Files that matched a known-good set (counted, never listed).
    public func knownGoodFileCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(DISTINCT file_id) FROM known_media WHERE kind = 'known-good'") ?? 0
    }

    /// Matches other than known-good, by content, path and set; at most `limit`.
    public func knownMediaMatches(limit: Int) throws -> [KnownMediaMatchRow] {
        try Row.fetchAll(db, sql: """
            SELECT file_id, path, sha256, hashset, kind, category, algorithm, distance FROM known_media
            WHERE kind <> 'known-good' ORDER BY sha256, path, hashset LIMIT ?
            """, arguments: [limit]).map { r in
            KnownMediaMatchRow(fileID: try r.decode(forColumn: "file_id"), path: try r.decode(forColumn: "path"),
                               sha256: try r.decode(forColumn: "sha256"), hashset: try r.decode(forColumn: "hashset"),
                               kind: try r.decode(forColumn: "kind"), category: try r.decode(forColumn: "category"),
                               algorithm: try r.decode(forColumn: "algorithm"), distance: try r.decode(forColumn: "distance"))
        }
    }

    /// Messages whose attachment has this SHA-256, earliest first (the `attachments` table must exist).
    public func contentCarriers(sha256: String) throws -> [ContentCarrierRow] {
        try Row.fetchAll(db, sql: """
            SELECT v.sent_utc, v.sent_basis, v.platform, v.chat, v.sender, v.export_path, v.room_id, v.message_id, v.sent_raw
            FROM attachments a JOIN chat_messages v ON v.message_id = a.message_id
            WHERE a.sha256 = ? ORDER BY v.sent_utc IS NULL, v.sent_utc, v.message_id
            """, arguments: [sha256]).map { r in
            ContentCarrierRow(sentUTC: try r.decode(forColumn: "sent_utc"), sentBasis: try r.decode(forColumn: "sent_basis"),
                              sentRaw: try r.decode(forColumn: "sent_raw"), platform: try r.decode(forColumn: "platform"),
                              chat: try r.decode(forColumn: "chat"), sender: try r.decode(forColumn: "sender"),
                              exportPath: try r.decode(forColumn: "export_path"),
                              roomID: try r.decode(forColumn: "room_id"), messageID: try r.decode(forColumn: "message_id"))
        }
    }

    /// Inventory copies of this SHA-256, earliest modification first.
    public func contentCopies(sha256: String) throws -> [ContentCopyRow] {
        try Row.fetchAll(db, sql: """
            SELECT f.path, t.utc, t.basis FROM files f LEFT JOIN file_times t ON t.file_id = f.id AND t.kind = 'modified'
            JOIN evidence e ON e.id = f.evidence_id WHERE f.sha256 = ? ORDER BY t.utc IS NULL, t.utc, e.label, f.sort_key
            """, arguments: [sha256]).map { ContentCopyRow(path: try $0.decode(forColumn: "path"),
                                                           modifiedUTC: try $0.decode(forColumn: "utc"),
                                                           modifiedBasis: try $0.decode(forColumn: "basis")) }
    }

    /// Ids of the files that matched any hash set (the `hashset_matches` table must exist).
    public func hashSetMatchedFileIDs() throws -> Set<Int64> {
        Set(try Int64.fetchAll(db, sql: "SELECT DISTINCT file_id FROM hashset_matches"))
    }

    /// Path and MIME of a file, or `nil` when there is no such row.
    public func filePathAndMIME(fileID: Int64) throws -> (path: String?, mime: String?)? {
        let statement = try db.cachedStatement(sql: "SELECT path, mime FROM files WHERE id = ?")
        return try Row.fetchOne(statement, arguments: [fileID]).map { (try $0.decode(forColumn: "path"),
                                                                       try $0.decode(forColumn: "mime")) }
    }

    /// How many events of `selection` are in the case's table (`archive == false`) or in the
    /// table of archive dates and times before 1990 (`archive == true`).
    public func reportTimelineCount(_ selection: ReportTimelineSelection, archive: Bool) throws -> Int {
        let (whereSQL, args) = selection.whereClause(archive: archive)
        return try Int.fetchOne(db, sql: "SELECT count(*) FROM timeline \(whereSQL)", arguments: args) ?? 0
    }

    /// The first `limit` events of that table, by instant (events without one last).
    public func reportTimelineRows(_ selection: ReportTimelineSelection, archive: Bool, limit: Int) throws -> [ReportTimelineRow] {
        let (whereSQL, args) = selection.whereClause(archive: archive)
        return try Row.fetchAll(db, sql: """
            SELECT utc, utc_us, basis, raw, kind, description, source, file_path FROM timeline \(whereSQL)
            ORDER BY utc_us IS NULL, utc_us, event_id LIMIT ?
            """, arguments: args + [limit]).map { r in
            ReportTimelineRow(utc: try r.decode(forColumn: "utc"), utcMicros: try r.decode(forColumn: "utc_us"),
                              basis: try r.decode(forColumn: "basis"), raw: try r.decode(forColumn: "raw"),
                              kind: try r.decode(forColumn: "kind"), description: try r.decode(forColumn: "description"),
                              source: try r.decode(forColumn: "source"), filePath: try r.decode(forColumn: "file_path"))
        }
    }

    /// The timeline events with these ids, by instant.
    public func timelineEvents(ids: [Int64]) throws -> [ReportTimelineRow] {
        let marks = ids.map { _ in "?" }.joined(separator: ",")
        return try Row.fetchAll(db, sql: """
            SELECT event_id, utc, utc_us, basis, raw, kind, description, file_path FROM timeline WHERE event_id IN (\(marks)) ORDER BY utc_us IS NULL, utc_us, event_id
            """, arguments: StatementArguments(ids)).map { r in
            ReportTimelineRow(utc: try r.decode(forColumn: "utc"), utcMicros: try r.decode(forColumn: "utc_us"),
                              basis: try r.decode(forColumn: "basis"), raw: try r.decode(forColumn: "raw"),
                              kind: try r.decode(forColumn: "kind"), description: try r.decode(forColumn: "description"),
                              filePath: try r.decode(forColumn: "file_path"), eventID: try r.decode(forColumn: "event_id"))
        }
    }

    /// The files with these ids, by path.
    public func files(ids: [Int64]) throws -> [TaggedFileRow] {
        let marks = ids.map { _ in "?" }.joined(separator: ",")
        return try Row.fetchAll(db, sql: "SELECT id, path, sha256, mime, size FROM files WHERE id IN (\(marks)) ORDER BY path",
                                arguments: StatementArguments(ids)).map { r in
            TaggedFileRow(id: try r.decode(forColumn: "id"), path: try r.decode(forColumn: "path"),
                          sha256: try r.decode(forColumn: "sha256"), mime: try r.decode(forColumn: "mime"),
                          size: try r.decode(forColumn: "size"))
        }
    }
}
