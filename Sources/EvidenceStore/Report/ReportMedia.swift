import ExhibitKit
import Foundation
import GRDB

extension ReportWriter {
    /// Hash-set matches (issue 5's `hashset_matches` / `known_media`) with, for each matched
    /// content, its spread: every message that carried it and every copy in the inventory.
    /// Matched pictures are never shown. Without the tables: "no hash sets imported".
    func knownMedia() throws {
        guard try has("hashset_matches"), try has("known_media") else {
            try open(.knownMedia, "No hash sets imported: no known-bad or known-good list was compared with this case.")
            return try close()
        }
        try open(.knownMedia, "Files whose hash (MD5/SHA-1/SHA-256, or perceptual PDQ within the distance shown) matched an imported hash set. The pictures themselves are never shown in this report.")
        if try has("hashsets") {
            let sets = try Row.fetchAll(db, sql: "SELECT name, kind, entry_count FROM hashsets ORDER BY name")
            try out.write("<p>Hash sets: " + (sets.isEmpty ? "none imported" : sets.map { "\(t($0[0])) (\(t($0[1])), \($0[2] as Int64? ?? 0) entries)" }.joined(separator: " · ")) + "</p>\n")
        }
        // Known-good sets (NSRL-style) only say what can be ignored: counted, not listed.
        let good = try Int.fetchOne(db, sql: "SELECT count(DISTINCT file_id) FROM known_media WHERE kind = 'known-good'") ?? 0
        if good > 0 { try out.write("<p class=\"muted\">\(good) file(s) matched a known-good set and are not listed.</p>\n") }
        let matches = try Row.fetchAll(db, sql: """
            SELECT file_id, path, sha256, hashset, kind, category, algorithm, distance FROM known_media
            WHERE kind <> 'known-good' ORDER BY sha256, path, hashset LIMIT ?
            """, arguments: [options.problemLimit])
        if matches.isEmpty {
            try out.write("<p class=\"ok\">No file matched a known-bad set.</p>\n")
            return try close()
        }
        try table(["File", "SHA-256", "Hash set", "Kind", "Category", "Match"], matches.map { r in
            [m(r[1]), m(r[2]), t(r[3]), t(r[4]), t(r[5]), "\(t(r[6]))\((r[7] as Int64?).map { " distance \($0)" } ?? "")"]
        })
        var seen = Set<String>()
        for r in matches {
            guard let sha: String = r[2], seen.insert(sha).inserted else { continue }
            try spread(sha256: sha)
        }
        try close()
    }

    private func spread(sha256: String) throws {
        let carried = try has("attachments") ? try Row.fetchAll(db, sql: """
            SELECT v.sent_utc, v.sent_basis, v.platform, v.chat, v.sender, v.export_path, v.room_id, v.message_id, v.sent_raw
            FROM attachments a JOIN chat_messages v ON v.message_id = a.message_id
            WHERE a.sha256 = ? ORDER BY v.sent_utc IS NULL, v.sent_utc, v.message_id
            """, arguments: [sha256]) : []
        let copies = try Row.fetchAll(db, sql: """
            SELECT f.path, t.utc, t.basis FROM files f LEFT JOIN file_times t ON t.file_id = f.id AND t.kind = 'modified'
            JOIN evidence e ON e.id = f.evidence_id WHERE f.sha256 = ? ORDER BY t.utc IS NULL, t.utc, e.label, f.sort_key
            """, arguments: [sha256])
        let rooms = Set(carried.compactMap { $0[6] as Int64? }).count
        let senders = Set(carried.compactMap { $0[4] as String? }).count
        let firstTimes = (carried.compactMap { r -> (String, String)? in (r[0] as String?).map { ($0, "sent in \(r[2] as String? ?? "") chat \(r[3] as String? ?? "")") } }
                          + copies.compactMap { r -> (String, String)? in (r[1] as String?).map { ($0, "file \(r[0] as String? ?? "") modified") } }).min { $0.0 < $1.0 }
        try out.write("<h3>Spread of <span class=\"mono\">\(ExportEscape.html(sha256))</span></h3>\n<p>")
        try out.write("First appearance: \(firstTimes.map { "\(when($0.0)) — \(t($0.1))" } ?? "no known time") · \(carried.count) message(s) in \(rooms) room(s) by \(senders) sender(s) · \(copies.count) file cop\(copies.count == 1 ? "y" : "ies")</p>\n")
        if !carried.isEmpty {
            try table(["Sent", "Platform", "Chat", "Sender", "Export file"],
                      carried.map { [when($0[0], basis: $0[1], raw: $0[8]), t($0[2]), t($0[3]), t($0[4]), m($0[5])] })
        }
        try table(["Copy", "Modified"], copies.map { [m($0[0]), when($0[1], basis: $0[2])] })
    }

    /// The `timeline` view in the selected window, in two tables so the case's events are not
    /// buried: first what happened (messages, pictures taken, calls…), then the dates recorded
    /// inside the archives (entry modification times, written by whoever built the archive)
    /// and times before 1990 (unset clocks, zero values). Each is cut at the limit. With
    /// `--tagged`, only events of tagged items.
    func timeline() throws {
        guard try has("timeline") else {
            try open(.timeline, "No timeline in this case database yet (it is built by the timeline analyzer at the end of an ingest).")
            return try close()
        }
        var clauses: [String] = []
        var args = StatementArguments()
        if let f = options.fromMicros { clauses.append("utc_us >= ?"); args += [f] }
        if let b = options.beforeMicros { clauses.append("utc_us < ?"); args += [b] }
        if options.taggedOnly {
            let review = options.review
            let events = review?.ids(.event).sorted() ?? [], messages = review?.ids(.message).sorted() ?? []
            let files = review?.ids(.file).sorted() ?? []
            let groups = Set(review?.tags.filter { $0.target == .group }.map(\.targetID) ?? [])
            let members = context.spreads.filter { groups.contains($0.content) }.flatMap(\.members).sorted()
            let list = { (n: Int) in n == 0 ? "NULL" : Array(repeating: "?", count: n).joined(separator: ",") }
            clauses.append("(event_id IN (\(list(events.count))) OR message_id IN (\(list(messages.count))) OR file_id IN (\(list(files.count))) OR sha256 IN (\(list(members.count))))")
            args += StatementArguments(events + messages + files)
            args += StatementArguments(members)
        }
        let archive = "(source = 'intake' OR utc_us < \(Self.plausibleMicros))"
        let base = clauses.isEmpty ? "" : clauses.joined(separator: " AND ") + " AND "
        let caseWhere = "WHERE \(base)NOT \(archive)", archiveWhere = "WHERE \(base)\(archive)"
        let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM timeline \(caseWhere)", arguments: args) ?? 0
        let archived = try Int.fetchOne(db, sql: "SELECT count(*) FROM timeline \(archiveWhere)", arguments: args) ?? 0
        let scope = options.taggedOnly ? "of the items the reviewer tagged " : ""
        try open(.timeline, "\(total) event(s) \(scope)in the selected window\(total > options.timelineLimit ? ", the first \(options.timelineLimit) shown" : ""). Events without an instant come last.")
        try timelineTable(caseWhere, args)
        if archived > 0 {
            try out.write("<h3>Dates inside the archives, and times before 1990</h3><p class=\"muted\">\(archived) date(s) recorded by the archives themselves (an entry's modification time says when a file was last written on the machine that packed it, not what a person did), and times before 1990 (clocks that were never set, zero values)\(archived > options.timelineLimit ? "; the first \(options.timelineLimit) shown" : "").</p>\n")
            try timelineTable(archiveWhere, args)
        }
        try close()
    }

    /// 1990-01-01T00:00:00Z: earlier times in a phone case are unset clocks or zero values.
    static let plausibleMicros: Int64 = 631_152_000_000_000

    private func timelineTable(_ whereSQL: String, _ args: StatementArguments) throws {
        let rows = try Row.fetchAll(db, sql: """
            SELECT utc, utc_us, basis, raw, kind, description, source, file_path FROM timeline \(whereSQL)
            ORDER BY utc_us IS NULL, utc_us, event_id LIMIT ?
            """, arguments: args + [options.timelineLimit])
        try table(["Time", "Kind", "Description", "Source", "File"], rows.map { r in
            [when(r[0], micros: r[1], basis: r[2], raw: r[3]), t(r[4]), "<span class=\"text\">\(t(r[5]))</span>", t(r[6]), m(r[7])]
        })
    }

    /// Pictures given by `--thumbnails`, blurred; never a file that matched a hash set.
    func thumbnailSection() throws {
        guard !options.thumbnails.isEmpty else {
            try open(.thumbnails, options.thumbnailNote ?? "Not included in this report. Files that matched a hash set are never shown.")
            return try close()
        }
        let matched = try has("hashset_matches") ? Set(try Int64.fetchAll(db, sql: "SELECT DISTINCT file_id FROM hashset_matches")) : []
        try open(.thumbnails, "Blurred; hover to see one on screen (print stays blurred). Files that matched a hash set are left out. \(options.thumbnailNote.map(ExportEscape.html) ?? "")")
        try out.write("<div class=\"thumbs\">\n")
        let file = try db.makeStatement(sql: "SELECT path, mime FROM files WHERE id = ?")
        for id in options.thumbnails.keys.sorted() where !matched.contains(id) {
            guard let data = options.thumbnails[id],
                  let f = try Row.fetchOne(file, arguments: [id]),
                  let mime: String = f[1], ["image/jpeg", "image/png", "image/gif", "image/webp"].contains(mime) else { continue }
            // One picture at a time: up to 200 pictures of 4 MiB each must not become one string.
            try out.write("<div class=\"thumb\"><img alt=\"\" src=\"data:\(mime);base64,\(data.base64EncodedString())\"><br>\(m(f[0]))</div>\n")
        }
        try out.write("</div>\n")
        try close()
    }
}
