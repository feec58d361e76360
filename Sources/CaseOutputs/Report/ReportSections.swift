import EvidenceStore
import ExhibitKit
import Foundation

extension ReportWriter {
    func overview() throws {
        try open(.overview)
        let c = try q.caseHeader()
        let examiners = try q.runExaminers()
        var s = "<dl>"
        s += "<dt>Case</dt><dd>\(t(c?.name))</dd>"
        s += "<dt>Examiner</dt><dd>\(t(c?.examiner))</dd>"
        if !examiners.isEmpty { s += "<dt>Examiners of the runs</dt><dd>\(t(examiners.joined(separator: ", ")))</dd>" }
        let zone = c?.assumedZone
        s += "<dt>Assumed time zone</dt><dd>\(t(zone ?? "none declared (naive local times have basis unknown)"))</dd>"
        s += "<dt>Case database created</dt><dd>\(when(c?.createdUTC)) by Exhibit \(t(c?.toolVersion))</dd>"
        let counts = try q.inventoryTotals()
        s += "<dt>Evidence items</dt><dd>\(counts.evidenceItems ?? 0)</dd><dt>Inventory entries</dt><dd>\(counts.files ?? 0) (\(counts.fileBytes ?? 0) bytes in files)</dd>"
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
        for e in try q.evidenceItems() {
            let expected = e.expectedMatch
            let match = expected == nil ? "<span class=\"muted\">no expected hash given</span>"
                : expected == 1 ? "<span class=\"ok\">matches seizure form</span>" : "<span class=\"fail\">DIFFERS from seizure form \(m(e.expectedSHA256))</span>"
            let hashes = "MD5 \(m(e.md5))<br>SHA-1 \(m(e.sha1))<br>SHA-256 \(m(e.sha256))<br><span class=\"muted\">over the \(t(e.hashKind))</span>"
            var what = "\(t(e.kind)), \(e.size ?? 0) bytes, \(t(e.format)), \(e.entryCount ?? 0) entries"
            if let d = e.description { what += "<br>\(t(d))" }
            if let by = e.seizedBy { what += "<br>seized by \(t(by))" }
            if let at = e.seizedAtUTC { what += " at \(when(at, basis: e.seizedAtBasis))" }
            let status = "\(t(e.status ?? "not finished"))\((e.complete ?? 0) == 1 ? "" : " <span class=\"warn\">(incomplete)</span>")"
            rows.append(["\(t(e.label))<br>\(t(e.item))", what + "<br>" + m(e.path), hashes, match, status])
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
        let span = try q.auditSpan()
        try out.write("<dl><dt>Chain</dt><dd>\(status), \(chain.entries) entries</dd><dt>Head hash</dt><dd>\(m(chain.head))</dd>"
                      + "<dt>First / last entry</dt><dd>\(when(span?.firstUTC)) / \(when(span?.lastUTC))</dd></dl>\n")
        var rows: [[String]] = []
        for a in try q.auditActions() {
            rows.append([m(a.action), "\(a.entries ?? 0)", when(a.firstUTC), when(a.lastUTC)])
        }
        try out.write("<h3>Entries by action</h3>")
        try table(["Action", "Entries", "First", "Last"], rows)
        rows = []
        for r in try q.ingestRuns() {
            rows.append(["\(r.id)", when(r.startedUTC), r.finishedUTC.map { when($0) } ?? t(nil), t(r.status), t(r.toolVersion), "\(r.filesCommitted ?? 0)", m(r.chainHead),
                         r.signature == nil ? "no" : "Ed25519 (checked against the examiner's public key)"])
        }
        try out.write("<h3>Ingest runs</h3>")
        try table(["Run", "Started", "Finished", "Status", "Version", "Files committed", "Chain head at end", "Signed"], rows)
        try close()
    }

    func analyzers() throws {
        try open(.analyzers, "Rows each analyzer produced, with its version; every row keeps its source file and location.")
        let rows = try q.analyzerRowCounts().map { r in
            [m(r.analyzerID), t(r.version), t(r.what), "\(r.rows ?? 0)"]
        }
        try table(["Analyzer", "Version", "What", "Rows"], rows)
        let types = try q.fileTypes(limit: 25).map { [m($0.mime), "\($0.files ?? 0)", "\($0.bytes ?? 0)"] }
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
        let rows = try q.chatSummaries().map { c in
            [t(c.platform), t(c.title) + (c.copyOf.map { " <span class=\"muted\">(copy of chat \($0))</span>" } ?? ""), m(c.exportPath),
             "\(c.messages ?? 0)" + Self.recoveredNote(c.recovered), "\(c.participants ?? 0)", "\(c.attachments ?? 0)", when(c.firstSentUTC), when(c.lastSentUTC)]
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
        let statuses = try q.problemStatusCounts()
        if statuses.isEmpty {
            try out.write("<p class=\"ok\">Every entry was read in full (status ok or link).</p>\n")
        } else {
            try out.write("<p>" + statuses.map { "\(t($0.status)): \($0.count ?? 0)" }.joined(separator: " · ") + "</p>\n")
            let rows = try q.problemFiles(limit: options.problemLimit)
                .map { [t($0.status), m($0.path), t($0.message), "\($0.size ?? 0) / \($0.declaredSize.map(String.init) ?? "?")"] }
            try table(["Status", "Entry", "Reason", "Bytes read / declared"], rows)
        }
        let errors = try q.analysisProblems(limit: options.problemLimit)
        if errors.isEmpty {
            try out.write("<p class=\"ok\">No analyzer reported a problem.</p>\n")
        } else {
            try out.write("<h3>Analyzer problems</h3>")
            try table(["Status", "Analyzer", "Code", "File", "Message"], errors.map { [t($0.status), m($0.analyzerID), m($0.code), m($0.path), t($0.message)] })
        }
        let total = try q.problemTotal()
        if total > 2 * options.problemLimit || errors.count == options.problemLimit {
            try out.write("<p class=\"muted\">Lists are cut at \(options.problemLimit) rows; all rows are in the tables files and analysis_errors.</p>\n")
        }
        try close()
    }
}
