import EvidenceStore
import ExhibitKit
import Foundation

extension ReportWriter {
    /// What the reviewer tagged in `exhibit serve`: picture groups, messages, events and files,
    /// each with its tags and notes (the review database is read, never written).
    func taggedItems() throws {
        guard let review = options.review, !review.isEmpty else {
            try open(.tagged, options.review == nil ? "No review was recorded for this case." : "The reviewer tagged nothing.")
            return try close()
        }
        try open(.tagged, "Tags and notes of the review (\(t(review.path))), with the reviewer's name and the time of each.")
        let noteText = { (kind: ReviewTargetKind, id: String) -> String in
            review.noteList(kind, id).map { "<div class=\"note\">\(ExportEscape.html($0.reviewer)): <span class=\"text\">\(ExportEscape.html($0.text))</span></div>" }.joined()
        }
        let groups = Set(review.tags.filter { $0.target == .group }.map(\.targetID))
        if !groups.isEmpty {
            try out.write("<h3>Picture groups</h3>")
            try table(["Picture group", "Tags", "Notes"], groups.sorted().map { g in
                let line = context.spreads.first { $0.content == g }.map { s in s.courtLine(firstTime: s.first.flatMap { local($0.utc, $0.utcMicros) }) }
                return [m(g) + (line.map { "<br>\(t($0))" } ?? ""), t(review.tagList(.group, g).joined(separator: ", ")), noteText(.group, g)]
            })
        }
        let messages = review.ids(.message)
        if !messages.isEmpty {
            let byID = Dictionary(context.threads.flatMap(\.messages).map { ($0.message.messageID, $0) }, uniquingKeysWith: { a, _ in a })
            try out.write("<h3>Messages</h3>")
            try table(["Sent", "Chat", "Sender", "Text", "Tags", "Notes"], messages.sorted().map { id in
                guard let tm = byID[id] else { return [t(nil), t(nil), t(nil), "message \(id) (beyond the transcript limit)", t(review.tagList(.message, String(id)).joined(separator: ", ")), noteText(.message, String(id))] }
                let msg = tm.message
                return [when(msg.sentUTC, micros: tm.sentMicros, basis: msg.sentBasis, raw: msg.sentRaw),
                        "\(t(msg.platform)) “\(t(msg.chat))”", sender(msg), "<span class=\"text\">\(shown(msg.text))</span>",
                        t(review.tagList(.message, String(id)).joined(separator: ", ")), noteText(.message, String(id))]
            })
        }
        for (kind, title) in [(ReviewTargetKind.event, "Events"), (.file, "Files")] {
            let ids = review.ids(kind).sorted()
            guard !ids.isEmpty else { continue }
            try out.write("<h3>\(title)</h3>")
            if kind == .event {
                let rows = try q.timelineEvents(ids: ids)
                try table(["Time", "Kind", "Description", "File", "Tags", "Notes"], rows.map { r in
                    let id = String(r.eventID ?? 0)
                    return [when(r.utc, micros: r.utcMicros, basis: r.basis, raw: r.raw), t(r.kind), "<span class=\"text\">\(shown(r.description ?? ""))</span>", m(r.filePath),
                            t(review.tagList(.event, id).joined(separator: ", ")), noteText(.event, id)]
                })
            } else {
                let rows = try q.files(ids: ids)
                try table(["File", "SHA-256", "Type, bytes", "Tags", "Notes"], rows.map { r in
                    let id = String(r.id ?? 0)
                    let bad = r.sha256.map { context.knownBad.contains($0) } ?? false
                    return [m(r.path) + (bad ? "<br><span class=\"fail\">KNOWN-BAD (not shown)</span>" : ""), m(r.sha256),
                            "\(t(r.mime)), \(r.size ?? 0)", t(review.tagList(.file, id).joined(separator: ", ")), noteText(.file, id)]
                })
            }
        }
        try close()
    }

    /// The threads around the messages in focus — tagged by the reviewer, or (unless
    /// `--tagged`) carrying a known-bad picture — read like the app: local time with UTC, the
    /// sender with the device owner marked, deleted, recovered, edited, forwarded and reply
    /// marks, service actions with the members they name, and known-bad attachments flagged
    /// (never shown).
    func transcripts() throws {
        let why = options.taggedOnly ? "the messages the reviewer tagged" : "the messages the reviewer tagged and every message that carried a known-bad picture"
        guard !context.threads.isEmpty else {
            try open(.transcripts, "No message in focus (\(why)).")
            return try close()
        }
        try open(.transcripts, "The conversation around \(why): \(options.transcriptWindow) messages before and after each, messages in focus outlined. "
                 + "Pictures are not reproduced; a known-bad attachment is flagged."
                 + (context.threadsCut > 0 ? " \(context.threadsCut) further message(s) in focus are not transcribed here (limit \(options.transcriptLimit))." : ""))
        for thread in context.threads {
            guard let first = thread.messages.first?.message else { continue }
            try out.write("<h3>\(t(first.platform)) — “\(t(first.chat))”</h3><p class=\"muted\">Export \(m(first.exportPath)) in \(t(first.evidence))</p>\n")
            var rows = "<table class=\"thread\"><thead><tr><th>Sent</th><th>Sender</th><th>Message</th></tr></thead><tbody>\n"
            for tm in thread.messages {
                let msg = tm.message
                let focus = thread.focus.contains(msg.messageID)
                rows += "<tr class=\"\(focus ? "focus" : "")\(msg.fromDeviceOwner ? " owner" : "")\">"
                rows += "<td>\(when(msg.sentUTC, micros: tm.sentMicros, basis: msg.sentBasis, raw: msg.sentRaw))</td>"
                rows += "<td>\(sender(msg))</td><td>\(marks(tm))<span class=\"text\">\(shown(msg.text))</span>\(attachments(msg))</td></tr>\n"
            }
            try out.write(rows + "</tbody></table>\n")
        }
        try close()
    }

    /// The sender, with the device owner (the phone's account) marked.
    func sender(_ msg: ChatMessageRow) -> String {
        t(msg.sender) + (msg.fromDeviceOwner ? " <span class=\"badge\">device owner</span>" : "")
    }

    private func marks(_ tm: ThreadMessage) -> String {
        let msg = tm.message
        var out: [String] = []
        if msg.deleted { out.append("deleted") }
        if msg.recovered { out.append("recovered deleted record") }
        if tm.edited { out.append("edited") }
        if let f = tm.forwardedFrom { out.append("forwarded from \(f)") }
        if let r = tm.replyToNativeID { out.append("reply to message \(r)") }
        if let action = msg.serviceAction {
            var line = "service: \(action)" + (msg.serviceActor.map { " by \($0)" } ?? "")
            let details = msg.serviceDetails.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any]
            if let members = details?["members"] as? [String], !members.isEmpty {
                line += " — \(action.contains("remove") ? "removed" : "invited") members: \(members.joined(separator: ", "))"
            } else if let title = details?["title"] as? String {
                line += " — title “\(title)”"
            }
            out.append(line)
        }
        return out.map { "<span class=\"mark\">\(shown($0))</span> " }.joined()
    }

    private func attachments(_ msg: ChatMessageRow) -> String {
        msg.attachments.map { a in
            let bad = a.sha256.map { context.knownBad.contains($0.lowercased()) } ?? false
            return "<div class=\"att\">\(bad ? "<span class=\"fail\">KNOWN-BAD picture (not shown)</span> " : "")\(t(a.kind)) \(m(a.path ?? a.reference))"
                + (a.sha256.map { " SHA-256 \(m($0))" } ?? "") + "</div>"
        }.joined()
    }
}
