import ExhibitKit
import Foundation
import GRDB

extension ReportWriter {
    func overview() throws {
        try open(.overview)
        let c = try Row.fetchOne(db, sql: "SELECT name, examiner, assumed_zone, created_utc, tool_version FROM cases ORDER BY id LIMIT 1")
        let examiners = try String.fetchAll(db, sql: """
            SELECT DISTINCT json_extract(details, '$.examiner') FROM audit_log
            WHERE action = 'ingest.start' AND json_extract(details, '$.examiner') IS NOT NULL ORDER BY seq
            """)
        var s = "<dl>"
        s += "<dt>Case</dt><dd>\(t(c?[0]))</dd>"
        s += "<dt>Examiner</dt><dd>\(t(c?[1]))</dd>"
        if !examiners.isEmpty { s += "<dt>Examiners of the runs</dt><dd>\(t(examiners.joined(separator: ", ")))</dd>" }
        let zone: String? = c?[2]
        s += "<dt>Assumed time zone</dt><dd>\(t(zone ?? "none declared (naive local times have basis unknown)"))</dd>"
        s += "<dt>Case database created</dt><dd>\(when(c?[3])) by Exhibit \(t(c?[4]))</dd>"
        let counts = try Row.fetchOne(db, sql: "SELECT (SELECT count(*) FROM evidence), (SELECT count(*) FROM files), (SELECT coalesce(sum(size),0) FROM files WHERE kind = 'file')")
        s += "<dt>Evidence items</dt><dd>\(counts?[0] as Int64? ?? 0)</dd><dt>Inventory entries</dt><dd>\(counts?[1] as Int64? ?? 0) (\(counts?[2] as Int64? ?? 0) bytes in files)</dd>"
        if options.fromMicros != nil || options.beforeMicros != nil {
            s += "<dt>Selected window</dt><dd>\(options.fromMicros.map { when(nil, micros: $0) } ?? "start") to \(options.beforeMicros.map { when(nil, micros: $0) } ?? "end") (end excluded)</dd>"
        }
        try out.write(s + "</dl>\n")
        try close()
    }

    func evidence() throws {
        let intro = options.verification == nil
            ? "Hashes recorded when each item was read. The items were not re-hashed for this report."
            : "Each item was re-hashed at its recorded path while this report was generated."
        try open(.evidence, intro)
        var rows: [[String]] = []
        for e in try Row.fetchAll(db, sql: """
            SELECT label, item, kind, path, size, md5, sha1, sha256, hash_kind, expected_sha256, expected_match, status, complete,
                   seized_by, seized_at_utc, seized_at_basis, description, format, entry_count
            FROM evidence ORDER BY label
            """) {
            let expected: Int64? = e[10]
            let match = expected == nil ? "<span class=\"muted\">no expected hash given</span>"
                : expected == 1 ? "<span class=\"ok\">matches seizure form</span>" : "<span class=\"fail\">DIFFERS from seizure form \(m(e[9]))</span>"
            let hashes = "MD5 \(m(e[5]))<br>SHA-1 \(m(e[6]))<br>SHA-256 \(m(e[7]))<br><span class=\"muted\">over the \(t(e[8]))</span>"
            var what = "\(t(e[2])), \(e[4] as Int64? ?? 0) bytes, \(t(e[17])), \(e[18] as Int64? ?? 0) entries"
            if let d: String = e[16] { what += "<br>\(t(d))" }
            if let by: String = e[13] { what += "<br>seized by \(t(by))" }
            if let at: String = e[14] { what += " at \(when(at, basis: e[15]))" }
            let status = "\(t(e[11] ?? "not finished"))\((e[12] as Int64? ?? 0) == 1 ? "" : " <span class=\"warn\">(incomplete)</span>")"
            rows.append(["\(t(e[0]))<br>\(t(e[1]))", what + "<br>" + m(e[3]), hashes, match, status])
        }
        try table(["Item", "What / path", "Hashes", "Seizure form", "Read status"], rows)
        if let lines = options.verification {
            try out.write("<h3>Verification now</h3><ul>" + lines.map { l in
                "<li class=\"\(l.hasPrefix("ok") ? "ok" : l.hasPrefix("FAIL") ? "fail" : "")\">\(ExportEscape.html(l))</li>"
            }.joined() + "</ul>\n")
        }
        try close()
    }

    func audit(_ chain: AuditChainReport) throws {
        try open(.audit, "The audit log is append-only and hash-chained; each entry's hash covers the previous one. The head hash below must equal the one printed when the last examination step finished.")
        let status = chain.ok ? "<span class=\"ok\">intact</span>" : "<span class=\"fail\">BROKEN: \(ExportEscape.html(chain.message))</span>"
        let span = try Row.fetchOne(db, sql: "SELECT min(utc), max(utc), count(*) FROM audit_log")
        try out.write("<dl><dt>Chain</dt><dd>\(status), \(chain.entries) entries</dd><dt>Head hash</dt><dd>\(m(chain.head))</dd>"
                      + "<dt>First / last entry</dt><dd>\(when(span?[0])) / \(when(span?[1]))</dd></dl>\n")
        var rows: [[String]] = []
        for a in try Row.fetchAll(db, sql: "SELECT action, count(*), min(utc), max(utc) FROM audit_log GROUP BY action ORDER BY min(seq)") {
            rows.append([m(a[0]), "\(a[1] as Int64? ?? 0)", when(a[2]), when(a[3])])
        }
        try out.write("<h3>Entries by action</h3>")
        try table(["Action", "Entries", "First", "Last"], rows)
        rows = []
        for r in try Row.fetchAll(db, sql: """
            SELECT id, started_utc, finished_utc, status, tool_version, files_committed, chain_head, signature FROM ingest_runs ORDER BY id
            """) {
            rows.append(["\(r[0] as Int64? ?? 0)", when(r[1]), (r[2] as String?).map { when($0) } ?? t(nil), t(r[3]), t(r[4]), "\(r[5] as Int64? ?? 0)", m(r[6]),
                         (r[7] as String?) == nil ? "no" : "Ed25519 (checked against the examiner's public key)"])
        }
        try out.write("<h3>Ingest runs</h3>")
        try table(["Run", "Started", "Finished", "Status", "Version", "Files committed", "Chain head at end", "Signed"], rows)
        try close()
    }

    func analyzers() throws {
        try open(.analyzers, "Rows each analyzer produced, with its version; every row keeps its source file and location.")
        var parts: [String] = []
        for (table, what) in [("chats", "chats"), ("participants", "participants"), ("messages", "messages"), ("attachments", "attachments"),
                              ("metadata", "metadata values"), ("indicators", "indicators"), ("artifacts", "artifacts"),
                              ("media_hashes", "media hashes")] where try has(table) {
            parts.append("SELECT analyzer_id, analyzer_version, '\(what)', count(*) FROM \(table) GROUP BY analyzer_id, analyzer_version")
        }
        if try has("events") {
            parts.append("SELECT source, NULL, 'timeline events', count(*) FROM events GROUP BY source")
        }
        parts.append("SELECT analyzer_id, analyzer_version, 'problems: ' || status, count(*) FROM analysis_errors GROUP BY analyzer_id, analyzer_version, status")
        let rows = try Row.fetchAll(db, sql: parts.joined(separator: " UNION ALL ") + " ORDER BY 1, 3").map { r in
            [m(r[0]), t(r[1]), t(r[2]), "\(r[3] as Int64? ?? 0)"]
        }
        try table(["Analyzer", "Version", "What", "Rows"], rows)
        let types = try Row.fetchAll(db, sql: """
            SELECT coalesce(mime, '(none)'), count(*), sum(size) FROM files WHERE kind = 'file' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 25
            """).map { [m($0[0]), "\($0[1] as Int64? ?? 0)", "\($0[2] as Int64? ?? 0)"] }
        try out.write("<h3>Files by detected type (top 25)</h3>")
        try table(["MIME (libmagic)", "Files", "Bytes"], types)
        try close()
    }

    func chats() throws {
        guard try has("chats") else {
            try open(.chats, "No chat findings in this case.")
            return try close()
        }
        try open(.chats, "One row per exported chat; a copy (a second export of one room) points at its original.")
        let rows = try Row.fetchAll(db, sql: """
            SELECT c.platform, c.title, f.path, c.copy_of,
                   (SELECT count(*) FROM messages m WHERE m.chat_id = c.id),
                   (SELECT count(*) FROM participants p WHERE p.chat_id = c.id),
                   (SELECT min(sent_utc) FROM messages m WHERE m.chat_id = c.id),
                   (SELECT max(sent_utc) FROM messages m WHERE m.chat_id = c.id),
                   (SELECT count(*) FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.chat_id = c.id),
                   c.id, (SELECT count(*) FROM messages m WHERE m.chat_id = c.id AND m.recovered = 1)
            FROM chats c JOIN files f ON f.id = c.file_id JOIN evidence e ON e.id = f.evidence_id ORDER BY e.label, f.sort_key, c.chat_key
            """).map { c in
            [t(c[0]), t(c[1]) + ((c[3] as Int64?).map { " <span class=\"muted\">(copy of chat \($0))</span>" } ?? ""), m(c[2]),
             "\(c[4] as Int64? ?? 0)" + Self.recoveredNote(c[10]), "\(c[5] as Int64? ?? 0)", "\(c[8] as Int64? ?? 0)", when(c[6]), when(c[7])]
        }
        try table(["Platform", "Chat", "Export file", "Messages", "Participants", "Attachments", "First message", "Last message"], rows)
        try close()
    }

    /// ` (2 recovered deleted records)` after a chat's message count, only when it has any: the
    /// messages count includes them, and the reader must see they are not live rows.
    static func recoveredNote(_ count: Int64?) -> String {
        guard let n = count, n > 0 else { return "" }
        return " <span class=\"muted\">(\(n) recovered deleted record\(n == 1 ? "" : "s"))</span>"
    }

    func problems() throws {
        try open(.problems, "Entries that could not be read in full, and every analyzer problem. Encrypted entries are never reported as empty.")
        let statuses = try Row.fetchAll(db, sql: "SELECT status, count(*) FROM files WHERE status NOT IN ('ok','link') GROUP BY status ORDER BY status")
        if statuses.isEmpty {
            try out.write("<p class=\"ok\">Every entry was read in full (status ok or link).</p>\n")
        } else {
            try out.write("<p>" + statuses.map { "\(t($0[0])): \($0[1] as Int64? ?? 0)" }.joined(separator: " · ") + "</p>\n")
            let rows = try Row.fetchAll(db, sql: """
                SELECT f.status, f.path, f.message, f.size, f.declared_size FROM files f JOIN evidence e ON e.id = f.evidence_id
                WHERE f.status NOT IN ('ok','link') ORDER BY f.status, e.label, f.sort_key LIMIT ?
                """, arguments: [options.problemLimit]).map { [t($0[0]), m($0[1]), t($0[2]), "\($0[3] as Int64? ?? 0) / \(($0[4] as Int64?).map(String.init) ?? "?")"] }
            try table(["Status", "Entry", "Reason", "Bytes read / declared"], rows)
        }
        let errors = try Row.fetchAll(db, sql: """
            SELECT status, analyzer_id, code, path, message FROM analysis_errors
            ORDER BY status = 'warning', status, path, analyzer_id LIMIT ?
            """, arguments: [options.problemLimit])
        if errors.isEmpty {
            try out.write("<p class=\"ok\">No analyzer reported a problem.</p>\n")
        } else {
            try out.write("<h3>Analyzer problems</h3>")
            try table(["Status", "Analyzer", "Code", "File", "Message"], errors.map { [t($0[0]), m($0[1]), m($0[2]), m($0[3]), t($0[4])] })
        }
        let total = (try Int.fetchOne(db, sql: "SELECT count(*) FROM analysis_errors") ?? 0)
            + (try Int.fetchOne(db, sql: "SELECT count(*) FROM files WHERE status NOT IN ('ok','link')") ?? 0)
        if total > 2 * options.problemLimit || errors.count == options.problemLimit {
            try out.write("<p class=\"muted\">Lists are cut at \(options.problemLimit) rows; all rows are in the tables files and analysis_errors.</p>\n")
        }
        try close()
    }
}
