import EvidenceStore
import ExhibitKit
import Foundation

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
            let sets = try q.hashSetList()
            try out.write("<p>Hash sets: " + (sets.isEmpty ? "none imported" : sets.map { "\(t($0.name)) (\(t($0.kind)), \($0.entryCount ?? 0) entries)" }.joined(separator: " · ")) + "</p>\n")
        }
        // Known-good sets (NSRL-style) only say what can be ignored: counted, not listed.
        let good = try q.knownGoodFileCount()
        if good > 0 { try out.write("<p class=\"muted\">\(good) file(s) matched a known-good set and are not listed.</p>\n") }
        let matches = try q.knownMediaMatches(limit: options.problemLimit)
        if matches.isEmpty {
            try out.write("<p class=\"ok\">No file matched a known-bad set.</p>\n")
            return try close()
        }
        try table(["File", "SHA-256", "Hash set", "Kind", "Category", "Match"], matches.map { r in
            [m(r.path), m(r.sha256), t(r.hashset), t(r.kind), t(r.category), "\(t(r.algorithm))\(r.distance.map { " distance \($0)" } ?? "")"]
        })
        var seen = Set<String>()
        for r in matches {
            guard let sha = r.sha256, seen.insert(sha).inserted else { continue }
            try spread(sha256: sha)
        }
        try close()
    }

    private func spread(sha256: String) throws {
        let carried = try has("attachments") ? try q.contentCarriers(sha256: sha256) : []
        let copies = try q.contentCopies(sha256: sha256)
        let rooms = Set(carried.compactMap(\.roomID)).count
        let senders = Set(carried.compactMap(\.sender)).count
        let firstTimes = (carried.compactMap { r -> (String, String)? in r.sentUTC.map { ($0, "sent in \(r.platform ?? "") chat \(r.chat ?? "")") } }
                          + copies.compactMap { r -> (String, String)? in r.modifiedUTC.map { ($0, "file \(r.path ?? "") modified") } }).min { $0.0 < $1.0 }
        try out.write("<h3>Spread of <span class=\"mono\">\(ExportEscape.html(sha256))</span></h3>\n<p>")
        try out.write("First appearance: \(firstTimes.map { "\(when($0.0)) — \(t($0.1))" } ?? "no known time") · \(carried.count) message(s) in \(rooms) room(s) by \(senders) sender(s) · \(copies.count) file cop\(copies.count == 1 ? "y" : "ies")</p>\n")
        if !carried.isEmpty {
            try table(["Sent", "Platform", "Chat", "Sender", "Export file"],
                      carried.map { [when($0.sentUTC, basis: $0.sentBasis, raw: $0.sentRaw), t($0.platform), t($0.chat), t($0.sender), m($0.exportPath)] })
        }
        try table(["Copy", "Modified"], copies.map { [m($0.path), when($0.modifiedUTC, basis: $0.modifiedBasis)] })
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
        var selection = ReportTimelineSelection(window: InstantWindow(fromMicros: options.fromMicros, beforeMicros: options.beforeMicros))
        if options.taggedOnly {
            let review = options.review
            let events = review?.ids(.event).sorted() ?? [], messages = review?.ids(.message).sorted() ?? []
            let files = review?.ids(.file).sorted() ?? []
            let groups = Set(review?.tags.filter { $0.target == .group }.map(\.targetID) ?? [])
            let members = context.spreads.filter { groups.contains($0.content) }.flatMap(\.members).sorted()
            selection.tagged = TaggedTimelineItems(events: events, messages: messages, files: files, sha256: members)
        }
        let total = try q.reportTimelineCount(selection, archive: false)
        let archived = try q.reportTimelineCount(selection, archive: true)
        let scope = options.taggedOnly ? "of the items the reviewer tagged " : ""
        try open(.timeline, "\(total) event(s) \(scope)in the selected window\(total > options.timelineLimit ? ", the first \(options.timelineLimit) shown" : ""). Events without an instant come last.")
        try timelineTable(selection, archive: false)
        if archived > 0 {
            try out.write("<h3>Dates inside the archives, and times before 1990</h3><p class=\"muted\">\(archived) date(s) recorded by the archives themselves (an entry's modification time says when a file was last written on the machine that packed it, not what a person did), and times before 1990 (clocks that were never set, zero values)\(archived > options.timelineLimit ? "; the first \(options.timelineLimit) shown" : "").</p>\n")
            try timelineTable(selection, archive: true)
        }
        try close()
    }

    private func timelineTable(_ selection: ReportTimelineSelection, archive: Bool) throws {
        let rows = try q.reportTimelineRows(selection, archive: archive, limit: options.timelineLimit)
        try table(["Time", "Kind", "Description", "Source", "File"], rows.map { r in
            [when(r.utc, micros: r.utcMicros, basis: r.basis, raw: r.raw), t(r.kind), "<span class=\"text\">\(t(r.description))</span>", t(r.source), m(r.filePath)]
        })
    }

    /// Pictures given by `--thumbnails`, blurred; never a file that matched a hash set.
    func thumbnailSection() throws {
        guard !options.thumbnails.isEmpty else {
            try open(.thumbnails, options.thumbnailNote ?? "Not included in this report. Files that matched a hash set are never shown.")
            return try close()
        }
        let matched = try has("hashset_matches") ? try q.hashSetMatchedFileIDs() : []
        try open(.thumbnails, "Blurred; hover to see one on screen (print stays blurred). Files that matched a hash set are left out. \(options.thumbnailNote.map(ExportEscape.html) ?? "")")
        try out.write("<div class=\"thumbs\">\n")
        for id in options.thumbnails.keys.sorted() where !matched.contains(id) {
            guard let data = options.thumbnails[id],
                  let f = try q.filePathAndMIME(fileID: id),
                  let mime = f.mime, ["image/jpeg", "image/png", "image/gif", "image/webp"].contains(mime) else { continue }
            // One picture at a time: up to 200 pictures of 4 MiB each must not become one string.
            try out.write("<div class=\"thumb\"><img alt=\"\" src=\"data:\(mime);base64,\(data.base64EncodedString())\"><br>\(m(f.path))</div>\n")
        }
        try out.write("</div>\n")
        try close()
    }
}
