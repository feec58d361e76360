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
        let c = try Row.fetchOne(db, sql: "SELECT (SELECT count(*) FROM evidence), (SELECT count(*) FROM files), (SELECT coalesce(sum(size),0) FROM files WHERE kind = 'file')")
        return InventoryTotalsRow(evidenceItems: c?[0], files: c?[1], fileBytes: c?[2])
    }

    /// The audit log's first and last time and size.
    public func auditSpan() throws -> AuditSpanRow? {
        try Row.fetchOne(db, sql: "SELECT min(utc), max(utc), count(*) FROM audit_log")
            .map { AuditSpanRow(firstUTC: $0[0], lastUTC: $0[1], entries: $0[2]) }
    }

    /// Audit entries by action, in the order each action first appears.
    public func auditActions() throws -> [AuditActionRow] {
        try Row.fetchAll(db, sql: "SELECT action, count(*), min(utc), max(utc) FROM audit_log GROUP BY action ORDER BY min(seq)")
            .map { AuditActionRow(action: $0[0], entries: $0[1], firstUTC: $0[2], lastUTC: $0[3]) }
    }

    /// Rows per analyzer and version of every finding table present, events per source, and
    /// problems per analyzer, version and status; ordered by analyzer then what.
    public func analyzerRowCounts() throws -> [AnalyzerCountRow] {
        var parts: [String] = []
        for (table, what) in [("chats", "chats"), ("participants", "participants"), ("messages", "messages"), ("attachments", "attachments"),
                              ("metadata", "metadata values"), ("indicators", "indicators"), ("artifacts", "artifacts"),
                              ("media_hashes", "media hashes")] where try hasRelation(table) {
            parts.append("SELECT analyzer_id, analyzer_version, '\(what)', count(*) FROM \(table) GROUP BY analyzer_id, analyzer_version")
        }
        if try hasRelation("events") {
            parts.append("SELECT source, NULL, 'timeline events', count(*) FROM events GROUP BY source")
        }
        parts.append("SELECT analyzer_id, analyzer_version, 'problems: ' || status, count(*) FROM analysis_errors GROUP BY analyzer_id, analyzer_version, status")
        return try Row.fetchAll(db, sql: parts.joined(separator: " UNION ALL ") + " ORDER BY 1, 3")
            .map { AnalyzerCountRow(analyzerID: $0[0], version: $0[1], what: $0[2], rows: $0[3]) }
    }

    /// Regular files by detected type, most files first; at most `limit` types.
    public func fileTypes(limit: Int) throws -> [FileTypeRow] {
        try Row.fetchAll(db, sql: """
            SELECT coalesce(mime, '(none)'), count(*), sum(size) FROM files WHERE kind = 'file' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?
            """, arguments: [limit]).map { FileTypeRow(mime: $0[0], files: $0[1], bytes: $0[2]) }
    }

    /// Every chat in export order with its counts and first and last message.
    public func chatSummaries() throws -> [ChatSummaryRow] {
        try Row.fetchAll(db, sql: """
            SELECT c.platform, c.title, f.path, c.copy_of,
                   (SELECT count(*) FROM messages m WHERE m.chat_id = c.id),
                   (SELECT count(*) FROM participants p WHERE p.chat_id = c.id),
                   (SELECT min(sent_utc) FROM messages m WHERE m.chat_id = c.id),
                   (SELECT max(sent_utc) FROM messages m WHERE m.chat_id = c.id),
                   (SELECT count(*) FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.chat_id = c.id),
                   c.id, (SELECT count(*) FROM messages m WHERE m.chat_id = c.id AND m.recovered = 1)
            FROM chats c JOIN files f ON f.id = c.file_id JOIN evidence e ON e.id = f.evidence_id ORDER BY e.label, f.sort_key, c.chat_key
            """).map { c in
            ChatSummaryRow(id: c[9], platform: c[0], title: c[1], exportPath: c[2], copyOf: c[3], messages: c[4], participants: c[5],
                           attachments: c[8], recovered: c[10], firstSentUTC: c[6], lastSentUTC: c[7])
        }
    }

    /// Files not read in full, counted per status.
    public func problemStatusCounts() throws -> [StatusCountRow] {
        try Row.fetchAll(db, sql: "SELECT status, count(*) FROM files WHERE status NOT IN ('ok','link') GROUP BY status ORDER BY status")
            .map { StatusCountRow(status: $0[0], count: $0[1]) }
    }

    /// Files not read in full by status and position; at most `limit`.
    public func problemFiles(limit: Int) throws -> [ProblemFileRow] {
        try Row.fetchAll(db, sql: """
            SELECT f.status, f.path, f.message, f.size, f.declared_size FROM files f JOIN evidence e ON e.id = f.evidence_id
            WHERE f.status NOT IN ('ok','link') ORDER BY f.status, e.label, f.sort_key LIMIT ?
            """, arguments: [limit]).map { ProblemFileRow(status: $0[0], path: $0[1], message: $0[2], size: $0[3], declaredSize: $0[4]) }
    }

    /// Analyzer problems, warnings last; at most `limit`.
    public func analysisProblems(limit: Int) throws -> [AnalysisProblemRow] {
        try Row.fetchAll(db, sql: """
            SELECT status, analyzer_id, code, path, message FROM analysis_errors
            ORDER BY status = 'warning', status, path, analyzer_id LIMIT ?
            """, arguments: [limit]).map { AnalysisProblemRow(status: $0[0], analyzerID: $0[1], code: $0[2], path: $0[3], message: $0[4]) }
    }

    /// Analyzer problems plus files not read in full.
    public func problemTotal() throws -> Int {
        (try Int.fetchOne(db, sql: "SELECT count(*) FROM analysis_errors") ?? 0)
            + (try Int.fetchOne(db, sql: "SELECT count(*) FROM files WHERE status NOT IN ('ok','link')") ?? 0)
    }
}
