import ExhibitKit
import Foundation
import GRDB

/// Sizes of the case for the report's overview.
public struct InventoryTotalsRow: Sendable, Hashable {
    /// Evidence items, inventory entries, bytes in regular files.
    public var evidenceItems: Int64?, files: Int64?, fileBytes: Int64?
}

/// First and last audit entry times and the number of entries.
public struct AuditSpanRow: Sendable, Hashable {
    /// UTC text of the first and last entry, entries.
    public var firstUTC: String?, lastUTC: String?, entries: Int64?
}

/// Audit entries of one action.
public struct AuditActionRow: Sendable, Hashable {
    /// Action, entries, first and last time (UTC text).
    public var action: String?, entries: Int64?, firstUTC: String?, lastUTC: String?
}

/// Rows one analyzer version produced of one kind (`messages`, `problems: error`…).
public struct AnalyzerCountRow: Sendable, Hashable {
    /// Analyzer id (or event source), version, what was counted, rows.
    public var analyzerID: String?, version: String?, what: String?, rows: Int64?
}

/// Files of one detected type.
public struct FileTypeRow: Sendable, Hashable {
    /// MIME (`(none)` when libmagic gave none), files, bytes.
    public var mime: String?, files: Int64?, bytes: Int64?
}

/// A chat as the report's chat table lists it.
public struct ChatSummaryRow: Sendable, Hashable {
    /// `chats.id`, platform, title, export file path, the chat this one is a copy of.
    public var id: Int64?, platform: String?, title: String?, exportPath: String?, copyOf: Int64?
    /// Messages, participants, attachments, and recovered deleted records among the messages.
    public var messages: Int64?, participants: Int64?, attachments: Int64?, recovered: Int64?
    /// First and last sent time (UTC text).
    public var firstSentUTC: String?, lastSentUTC: String?
}

/// Files with one read status other than `ok`/`link`.
public struct StatusCountRow: Sendable, Hashable {
    /// Status and files.
    public var status: String?, count: Int64?
}

/// A file not read in full.
public struct ProblemFileRow: Sendable, Hashable {
    /// Status, path, reason, bytes read and the size the container declared.
    public var status: String?, path: String?, message: String?, size: Int64?, declaredSize: Int64?
}

/// An `analysis_errors` row.
public struct AnalysisProblemRow: Sendable, Hashable {
    /// Status (`error`, `crashed`, `warning`…), analyzer, code, file path, message.
    public var status: String?, analyzerID: String?, code: String?, path: String?, message: String?
}

extension CaseOutputReader {
    /// The examiners named by the runs' `ingest.start` entries, in audit order, each once.
    public func runExaminers() throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT DISTINCT json_extract(details, '$.examiner') FROM audit_log
            WHERE action = 'ingest.start' AND json_extract(details, '$.examiner') IS NOT NULL ORDER BY seq
            """)
    }

    /// Evidence items, inventory entries, bytes in files.
    public func inventoryTotals() throws -> InventoryTotalsRow {
        let c = try Row.fetchOne(db, sql: """
            SELECT (SELECT count(*) FROM evidence) AS items, (SELECT count(*) FROM files) AS files,
                   (SELECT coalesce(sum(size),0) FROM files WHERE kind = 'file') AS bytes
            """)
        return InventoryTotalsRow(evidenceItems: try c?.decode(forColumn: "items"), files: try c?.decode(forColumn: "files"),
                                  fileBytes: try c?.decode(forColumn: "bytes"))
    }

    /// The audit log's first and last time and size.
    public func auditSpan() throws -> AuditSpanRow? {
        try Row.fetchOne(db, sql: "SELECT min(utc) AS first_utc, max(utc) AS last_utc, count(*) AS entries FROM audit_log")
            .map { AuditSpanRow(firstUTC: try $0.decode(forColumn: "first_utc"), lastUTC: try $0.decode(forColumn: "last_utc"),
                                entries: try $0.decode(forColumn: "entries")) }
    }

    /// Audit entries by action, in the order each action first appears.
    public func auditActions() throws -> [AuditActionRow] {
        try Row.fetchAll(db, sql: """
            SELECT action, count(*) AS entries, min(utc) AS first_utc, max(utc) AS last_utc FROM audit_log
            GROUP BY action ORDER BY min(seq)
            """)
            .map { AuditActionRow(action: try $0.decode(forColumn: "action"), entries: try $0.decode(forColumn: "entries"),
                                  firstUTC: try $0.decode(forColumn: "first_utc"), lastUTC: try $0.decode(forColumn: "last_utc")) }
    }

    /// Rows per analyzer and version of every finding table present, events per source, and
    /// problems per analyzer, version and status; ordered by analyzer then what.
    public func analyzerRowCounts() throws -> [AnalyzerCountRow] {
        var parts: [String] = []
        for (table, what) in [("chats", "chats"), ("participants", "participants"), ("messages", "messages"), ("attachments", "attachments"),
                              ("metadata", "metadata values"), ("indicators", "indicators"), ("artifacts", "artifacts"),
                              ("media_hashes", "media hashes")] where try hasRelation(table) {
            parts.append("""
                SELECT analyzer_id, analyzer_version, '\(what)' AS what, count(*) AS n FROM \(table) GROUP BY analyzer_id, analyzer_version
                """)
        }
        if try hasRelation("events") {
            parts.append("""
                SELECT source AS analyzer_id, NULL AS analyzer_version, 'timeline events' AS what, count(*) AS n FROM events GROUP BY source
                """)
        }
        parts.append("""
            SELECT analyzer_id, analyzer_version, 'problems: ' || status AS what, count(*) AS n FROM analysis_errors
            GROUP BY analyzer_id, analyzer_version, status
            """)
        // A compound SELECT's column names are its first part's: every part names them alike.
        return try Row.fetchAll(db, sql: parts.joined(separator: " UNION ALL ") + " ORDER BY 1, 3")
            .map { AnalyzerCountRow(analyzerID: try $0.decode(forColumn: "analyzer_id"), version: try $0.decode(forColumn: "analyzer_version"),
                                    what: try $0.decode(forColumn: "what"), rows: try $0.decode(forColumn: "n")) }
    }

    /// Regular files by detected type, most files first; at most `limit` types.
    public func fileTypes(limit: Int) throws -> [FileTypeRow] {
        try Row.fetchAll(db, sql: """
            SELECT coalesce(mime, '(none)') AS type, count(*) AS files, sum(size) AS bytes FROM files WHERE kind = 'file'
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?
            """, arguments: [limit]).map {
            FileTypeRow(mime: try $0.decode(forColumn: "type"), files: try $0.decode(forColumn: "files"), bytes: try $0.decode(forColumn: "bytes"))
        }
    }

    /// Every chat in export order with its counts and first and last message.
    public func chatSummaries() throws -> [ChatSummaryRow] {
        try Row.fetchAll(db, sql: """
            SELECT c.platform, c.title, f.path, c.copy_of,
                   (SELECT count(*) FROM messages m WHERE m.chat_id = c.id) AS messages,
                   (SELECT count(*) FROM participants p WHERE p.chat_id = c.id) AS participants,
                   (SELECT min(sent_utc) FROM messages m WHERE m.chat_id = c.id) AS first_sent_utc,
                   (SELECT max(sent_utc) FROM messages m WHERE m.chat_id = c.id) AS last_sent_utc,
                   (SELECT count(*) FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.chat_id = c.id) AS attachments,
                   c.id, (SELECT count(*) FROM messages m WHERE m.chat_id = c.id AND m.recovered = 1) AS recovered
            FROM chats c JOIN files f ON f.id = c.file_id JOIN evidence e ON e.id = f.evidence_id ORDER BY e.label, f.sort_key, c.chat_key
            """).map { c in
            ChatSummaryRow(id: try c.decode(forColumn: "id"), platform: try c.decode(forColumn: "platform"),
                           title: try c.decode(forColumn: "title"), exportPath: try c.decode(forColumn: "path"),
                           copyOf: try c.decode(forColumn: "copy_of"), messages: try c.decode(forColumn: "messages"),
                           participants: try c.decode(forColumn: "participants"), attachments: try c.decode(forColumn: "attachments"),
                           recovered: try c.decode(forColumn: "recovered"), firstSentUTC: try c.decode(forColumn: "first_sent_utc"),
                           lastSentUTC: try c.decode(forColumn: "last_sent_utc"))
        }
    }

    /// Files not read in full, counted per status.
    public func problemStatusCounts() throws -> [StatusCountRow] {
        try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM files WHERE status NOT IN ('ok','link') GROUP BY status ORDER BY status")
            .map { StatusCountRow(status: try $0.decode(forColumn: "status"), count: try $0.decode(forColumn: "n")) }
    }

    /// Files not read in full by status and position; at most `limit`.
    public func problemFiles(limit: Int) throws -> [ProblemFileRow] {
        try Row.fetchAll(db, sql: """
            SELECT f.status, f.path, f.message, f.size, f.declared_size FROM files f JOIN evidence e ON e.id = f.evidence_id
            WHERE f.status NOT IN ('ok','link') ORDER BY f.status, e.label, f.sort_key LIMIT ?
            """, arguments: [limit]).map {
            ProblemFileRow(status: try $0.decode(forColumn: "status"), path: try $0.decode(forColumn: "path"),
                           message: try $0.decode(forColumn: "message"), size: try $0.decode(forColumn: "size"),
                           declaredSize: try $0.decode(forColumn: "declared_size"))
        }
    }

    /// Analyzer problems, warnings last; at most `limit`.
    public func analysisProblems(limit: Int) throws -> [AnalysisProblemRow] {
        try Row.fetchAll(db, sql: """
            SELECT status, analyzer_id, code, path, message FROM analysis_errors
            ORDER BY status = 'warning', status, path, analyzer_id LIMIT ?
            """, arguments: [limit]).map {
            AnalysisProblemRow(status: try $0.decode(forColumn: "status"), analyzerID: try $0.decode(forColumn: "analyzer_id"),
                               code: try $0.decode(forColumn: "code"), path: try $0.decode(forColumn: "path"),
                               message: try $0.decode(forColumn: "message"))
        }
    }

    /// Analyzer problems plus files not read in full.
    public func problemTotal() throws -> Int {
        (try Int.fetchOne(db, sql: "SELECT count(*) FROM analysis_errors") ?? 0)
            + (try Int.fetchOne(db, sql: "SELECT count(*) FROM files WHERE status NOT IN ('ok','link')") ?? 0)
    }
}
